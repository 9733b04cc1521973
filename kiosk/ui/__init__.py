"""Qt user interfaces: the patient kiosk (ui/patient) and the staff console (ui/staff). They call services only."""
