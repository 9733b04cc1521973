"""A married patient's chart found by the name she had (the embedded registry keeps earlier names on re-import),
and a namesake who shares the new name is not mixed up with her (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from kiosk.bootstrap import Store
from kiosk.core.patient_search import parse_search, rank
from kiosk.services.registry_import import import_csv

HEADER = ("patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
          "insured_branch_number,postcode,address,reference_number\n")  # fmt: skip


def found(store: Store, text: str) -> list[str]:
    query = parse_search(text)
    return [r.patient_id for r in rank(query, store.registry.search_patients(query))]


def test_an_earlier_name_still_finds_the_chart(store: Store, tmp_path: Path) -> None:
    before = tmp_path / "before.csv"
    before.write_text(HEADER + "3001,試験 恵子,シケン ケイコ,1985-03-03,2,06999991,,5555,00,,,\n"
                      "3002,田中 恵子,タナカ ケイコ,1990-09-09,2,06999992,,6666,00,,,\n", encoding="utf-8")
    import_csv(store.sessions, before)
    after = tmp_path / "after.csv"  # 3001 married: the clinic's next export has her new name
    after.write_text(HEADER + "3001,田中 恵子,タナカ ケイコ,1985-03-03,2,06999991,,5555,00,,,\n"
                     "3002,田中 恵子,タナカ ケイコ,1990-09-09,2,06999992,,6666,00,,,\n", encoding="utf-8")
    import_csv(store.sessions, after)
    assert found(store, "しけん けいこ") == ["3001"]  # the old name: only her
    assert found(store, "試験 恵子") == ["3001"]
    assert sorted(found(store, "たなか けいこ")) == ["3001", "3002"]  # the new name: both namesakes
    assert found(store, "たなか けいこ S60.3.3") == ["3001"]  # the birthdate tells them apart
    record = store.registry.get_patient("3001")
    assert record is not None and record.names[0].name == "田中 恵子"  # the current name is shown first
