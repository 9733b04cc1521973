"""Migrations that carry data: a clinic upgrading keeps matching on what its registry already holds."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import create_engine, text

from kiosk.core.address import decode_address
from kiosk.store.db import _alembic_config, head_revision, upgrade


def test_0011_gives_existing_patients_address_keys(store_url: str) -> None:
    """Patients imported before 0011 get their address keys and a postcode written inside the address."""
    engine = create_engine(store_url)
    try:
        command.upgrade(_alembic_config(engine), "0010")
        with engine.begin() as connection:
            for patient_id, postcode, address in [
                ("1", "〒217-5955", "神奈川県川崎市高津区千年4丁目18-14"),
                ("2", None, "〒217-5955 長野県松本市錦町3-23-15 メゾン青葉803"),
                ("3", "999-0001", None),
            ]:
                connection.execute(
                    text("INSERT INTO patients (patient_id, postcode, address, updated_at) VALUES (:p, :c, :a, :u)"),
                    {"p": patient_id, "c": postcode, "a": address, "u": datetime(2026, 11, 30)},
                )
        assert upgrade(engine) == head_revision()
        with engine.connect() as connection:
            rows = {pid: (code, key) for pid, code, key in connection.execute(
                text("SELECT patient_id, postcode_key, address_key FROM patients"))}  # fmt: skip
    finally:
        engine.dispose()
    assert rows["1"][0] == "2175955" and rows["2"][0] == "2175955" and rows["3"] == ("9990001", None)
    first, second = decode_address(rows["1"][1]), decode_address(rows["2"][1])
    assert first is not None and first.numbers == ("4", "18", "14")
    assert second is not None and (second.locality, second.room) == ("松本市錦町", "803")
