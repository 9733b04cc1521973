"""The patient kiosk: views over kiosk.core.kiosk_flow, elderly-first."""
