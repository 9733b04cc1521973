"""Bulk 照会番号 request benchmark (run on demand): building and publishing OQSmuimm01req for a registry.

.venv/bin/python -m tests.bench.bench_reference [--patients 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from kiosk.bootstrap import open_store
from kiosk.core.clock import SystemClock
from kiosk.logsetup import configure_logging
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.registry_import import import_csv
from kiosk.settings import settings_from_mapping
from tests.bench.synthetic import people, write_registry


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "registry.csv"
        write_registry(csv, 7, people(7, args.patients))
        store = open_store(settings_from_mapping({"paths": {"data_dir": tmp}}))
        import_csv(store.sessions, csv)
        req, res = Path(tmp) / "req", Path(tmp) / "res"
        req.mkdir()
        res.mkdir()
        folders = ReferenceFolders("9919999999", req, res, "shift_jis", timedelta(seconds=180))
        service = ReferenceService(store.sessions, folders, SystemClock())
        started = time.perf_counter()
        result = service.start_bulk(only_missing=True)
        elapsed = time.perf_counter() - started
        (request,) = list(req.iterdir())
        print(
            f"bulk request for {result.patients:,} patients ({len(result.skipped)} skipped): {elapsed:.2f} s, "
            f"{request.stat().st_size / 1e6:.1f} MB ({request.name})"
        )
        store.engine.dispose()


if __name__ == "__main__":
    main()
