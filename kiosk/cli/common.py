"""What every command module of the CLI shares: exit codes, the bilingual argument parser, settings and logging."""

from __future__ import annotations

import argparse
from typing import NoReturn

from kiosk.logsetup import configure_logging
from kiosk.settings import Settings, load_settings

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"エラー: コマンドの指定が正しくありません / Error: bad usage: {message}\n")


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, db_url=args.db)


def start_logging(settings: Settings, args: argparse.Namespace, process: str, *, console: bool = True) -> None:
    configure_logging(
        process=process,
        log_dir=settings.log_dir(),
        data_dir=settings.data_dir(),
        level=args.log_level or settings.logging.level,
        console=console and settings.logging.console,
        max_bytes=settings.logging.file_max_bytes,
        backups=settings.logging.file_backups,
    )
