"""Uketsuke (受付): マイナ診察券 reception kiosk and レセコン adapter."""

__version__ = "0.1.0"
