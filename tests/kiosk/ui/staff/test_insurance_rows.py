"""The 保険・公費 panel's rows from real-shaped face results (fixtures from three kinds of insurance)."""

from __future__ import annotations

from typing import Any

from adapters.oqs.face_xml import parse_face_file
from kiosk.ui.staff.insurance_rows import insurance_rows
from tests.conftest import face_fixture


def details(case: str, index: int = 0) -> dict[str, Any]:
    parsed = parse_face_file(face_fixture(case).read_bytes())
    return dict(parsed.results[index].details)


def shown(case: str, index: int = 0, ok: bool = True) -> dict[str, str]:
    return {row.key: row.value for row in insurance_rows(details(case, index), "資格: 有効", ok)}


def test_a_kokuho_card_with_an_elderly_recipient_certificate() -> None:
    rows = shown("kokuho_shift_jis_random_order")
    assert rows["insurer_number"] == "999991" and rows["symbol"] == "試験市" and rows["number"] == "00012345"
    assert rows["elderly_ratio"] == "2割"
    assert rows["elderly_from"] == "令和6年8月1日（2024/08/01）" and rows["elderly_until"].endswith("（2025/07/31）")
    assert rows["branch"] == "" and rows["insurer_name"] == "試験市国民健康保険"


def test_a_shaho_card_with_a_limit_certificate() -> None:
    rows = shown("shaho_reference_number")
    assert rows["ratio"] == "3割" and rows["person_family"] == "本人（1）"
    assert rows["limit_kind"] == "限度額適用認定証（01）" and rows["limit_class"] == "ウ（A03）"
    assert rows["limit_until"] == "令和7年12月31日（2025/12/31）"


def test_public_assistance_is_labelled_as_such() -> None:
    """医療扶助: the numbers are 公費負担者番号 and 受給者番号, not 保険者番号 and 被保険者番号."""
    rows = {row.key: row for row in insurance_rows(details("two_results_public_assistance_bom", 1), "資格: 有効", True)}
    assert rows["public_number"].value == "12999991" and rows["public_number"].section == "医療扶助"
    assert rows["recipient_number"].value == "9990001" and "insurer_number" not in rows
    assert rows["ticket1_kind"].value == "医療券（01）" and rows["ticket1_month"].value == "202504"
    assert rows["ticket1_institution"].value == "一致（0）" and not rows["ticket1_institution"].alarm


def test_the_qualification_comes_first_and_is_an_alarm_when_not_valid() -> None:
    rows = insurance_rows(details("qualification_invalid"), "資格: 無効", False)
    assert rows[0].key == "qualification" and rows[0].alarm


def test_a_date_is_copied_as_a_date() -> None:
    rows = {row.key: row for row in insurance_rows(details("shaho_reference_number"), "", True)}
    assert rows["qualified_on"].copy_text == "2020/04/01" and rows["number"].copy_text == "0045678"
