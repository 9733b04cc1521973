"""Migrations that carry data: a clinic upgrading keeps matching on what its registry already holds."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import create_engine, text

from kiosk.store.db import _alembic_config, head_revision, upgrade


def test_0011_reads_postcodes_written_with_a_mark_or_inside_the_address(store_url: str) -> None:
    """Patients imported before 0011 get the postcode key `〒217-5955` or a postcode inside the address gives."""
    engine = create_engine(store_url)
    try:
        command.upgrade(_alembic_config(engine), "0010")
        with engine.begin() as connection:
            for patient_id, postcode, address in [
                ("1", "〒217-5955", "神奈川県川崎市高津区千年4丁目18-14"),
                ("2", None, "〒217-5955 長野県松本市錦町3-23-15 メゾン青葉803"),
                ("3", "999-0001", None),
                ("4", None, "長野県松本市錦町3-23-15"),
            ]:
                connection.execute(
                    text("INSERT INTO patients (patient_id, postcode, address, updated_at) VALUES (:p, :c, :a, :u)"),
                    {"p": patient_id, "c": postcode, "a": address, "u": datetime(2026, 11, 30)},
                )
        assert upgrade(engine) == head_revision()
        with engine.connect() as connection:
            keys = dict(connection.execute(text("SELECT patient_id, postcode_key FROM patients")).all())
    finally:
        engine.dispose()
    assert keys == {"1": "2175955", "2": "2175955", "3": "9990001", "4": None}
