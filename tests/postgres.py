"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a private port on
127.0.0.1, trust authentication, removed afterwards. As root the server runs as the `postgres` user
(initdb refuses root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="uketsuke-pg-"))
        self.port = _free_port()
        self.data = self.base / "data"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> Cluster:
        if self._as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "uketsuke", "-E", "UTF8", "--locale=C.UTF-8")
        self.start_server()
        return self

    def start_server(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.base / "log", "-w", "start")

    def stop_server(self) -> None:
        """Stop the server but keep the cluster (an outage the services must survive)."""
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://uketsuke@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=uketsuke dbname=postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            # a database per test makes gigabytes of small files: removing them took ~25 s at the end of every
            # CI run, so a detached process removes them while pytest exits
            subprocess.Popen(["rm", "-rf", str(self.base)], start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start")
