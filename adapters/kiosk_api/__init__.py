"""The agent's kiosk API (server) and the kiosk's remote desk (client): the KioskDesk port over HTTPS."""
