"""`uketsuke appointments import FILE.csv`: the clinic's appointments (DESIGN.md columns, UTF-8 with a header),
every rejected row named with its line and reason, re-import updates; nothing is written if the file is unreadable."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kiosk.core.appointments import Appointment, rows_from_csv
from kiosk.core.errors import UketsukeError


class Report(Protocol):
    added: int
    updated: int
    unchanged: int
    rejected: list[tuple[int, str]]
    unknown_patients: list[str]
    zeros_lost: dict[str, str]
    unknown_departments: list[str]


class Importer(Protocol):
    def import_rows(self, rows: list[tuple[int, Appointment | str]]) -> Report: ...


def read_rows(path: Path) -> list[tuple[int, Appointment | str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UketsukeError("file_missing", f"ファイルがありません: {path.name}",
                            f"no such file: {path.name}") from None  # fmt: skip
    except UnicodeDecodeError:
        raise UketsukeError("not_utf8", "UTF-8 の CSV ではありません（Excel では「CSV UTF-8」で保存）",
                            "the file is not UTF-8 CSV") from None  # fmt: skip
    return rows_from_csv(text)


def import_appointments(book: Importer, path: Path) -> Report:
    return book.import_rows(read_rows(path))
