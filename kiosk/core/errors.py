"""Bilingual errors: every failure a person can see has a Japanese and an English text."""

from __future__ import annotations


class UketsukeError(Exception):
    """An expected failure with a message for staff (Japanese first) and a stable code for logs."""

    def __init__(self, code: str, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.code = code
        self.ja = ja
        self.en = en

    def one_line(self) -> str:
        return f"エラー: {self.ja} / Error: {self.en}"


class ConfigError(UketsukeError):
    """The configuration file or an override is invalid."""


class StoreError(UketsukeError):
    """The store cannot be reached or is not usable."""
