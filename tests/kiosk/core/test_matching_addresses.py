"""Issue 16 regression tests: the namesake next door, addresses as real evidence, 通称, and a 照会番号 that
never outvotes stronger evidence. Registry: tests/fixtures/registry/addresses_and_namesakes.csv (fake people),
loaded into the real embedded registry; identities are shaped like face results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kiosk.bootstrap import Store
from kiosk.core.face import Identity
from kiosk.core.matching import (
    REASON_NO_CORROBORATION,
    REASON_REFERENCE_OUTVOTED,
    Decision,
    Matcher,
    MatchResult,
)
from kiosk.services.registry_import import import_csv
from kiosk.store.models import Patient
from tests.conftest import FIXTURES

REGISTRY = FIXTURES / "registry" / "addresses_and_namesakes.csv"
TARO = {"name": "試験　太郎", "name_kana": "ｼｹﾝ ﾀﾛｳ", "birthdate": "19500401", "sex": "1"}
NEW_INSURANCE = {"insurer_number": "39999995", "insured_identification_number": "77", "insured_branch_number": "00"}


@pytest.fixture
def matcher(store: Store) -> Iterator[Matcher]:
    report = import_csv(store.sessions, REGISTRY)
    assert report.rejected == [] and report.added == 7
    yield Matcher(store.registry)


def top_reasons(result: MatchResult) -> list[str]:
    return result.candidates[0].reasons if result.candidates else []


def test_postcode_with_a_postal_mark_is_read_as_a_postcode(store: Store, matcher: Matcher) -> None:
    with store.sessions() as session:
        keys = {pid: key for pid, key in session.execute(select(Patient.patient_id, Patient.postcode_key))}
    assert keys["2001"] == "2175955"  # 〒217-5955 in the postcode column
    assert keys["2004"] == "2175955"  # written inside the address field


def test_insurer_change_at_the_same_house_is_auto_linked(matcher: Matcher) -> None:
    result = matcher.match(Identity(**TARO, **NEW_INSURANCE, postcode="217-5955",
                                    address="神奈川県川崎市高津区千年４丁目１８番１４号"))  # fmt: skip
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "2001")
    assert any(r.startswith("住所:一致(番地まで)") for r in top_reasons(result))


def test_building_and_room_are_not_required(matcher: Matcher) -> None:
    result = matcher.match(Identity(name="試験　春子", name_kana="ｼｹﾝ ﾊﾙｺ", birthdate="19480202", sex="2",
                                    **NEW_INSURANCE, address="長野県松本市錦町３丁目２３番１５号"))  # fmt: skip
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "2002")


def test_registry_address_without_prefecture(matcher: Matcher) -> None:
    result = matcher.match(Identity(name="試験　夏子", name_kana="ｼｹﾝ ﾅﾂｺ", birthdate="19550505", sex="2",
                                    **NEW_INSURANCE, address="東京都目黒区緑が丘４丁目１番４号"))  # fmt: skip
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "2003")


def test_the_namesake_next_door_is_never_auto_linked(matcher: Matcher) -> None:
    """Same kanji, kana, birthdate and sex, same postcode and 丁目, another house, another insurance."""
    next_door = matcher.match(Identity(**TARO, **NEW_INSURANCE, postcode="217-5955",
                                       address="神奈川県川崎市高津区千年４丁目２０番３号"))  # fmt: skip
    assert next_door.decision is Decision.REVIEW and next_door.patient_id is None
    assert next_door.candidates[0].patient_id == "2001"
    assert "住所:同じ丁目(番地は不一致)(+2)" in top_reasons(next_door)
    assert REASON_NO_CORROBORATION in next_door.why_not_auto
    same_postcode = matcher.match(Identity(**TARO, **NEW_INSURANCE, postcode="217-5955",
                                           address="神奈川県川崎市高津区末長１丁目２番３号"))  # fmt: skip
    assert same_postcode.decision is Decision.REVIEW
    assert "住所:郵便番号のみ一致(+1)" in top_reasons(same_postcode)
    assert REASON_NO_CORROBORATION in same_postcode.why_not_auto
    postcode_only = matcher.match(Identity(**TARO, **NEW_INSURANCE, postcode="〒２１７－５９５５"))
    assert postcode_only.decision is Decision.REVIEW
    assert "住所:郵便番号のみ一致(+1)" in top_reasons(postcode_only)


def test_a_postcode_inside_the_registry_address_still_finds_the_patient(matcher: Matcher) -> None:
    result = matcher.match(Identity(name="試験　冬子", name_kana="ｼｹﾝ ﾌﾕｺ", birthdate="19580808", sex="2",
                                    **NEW_INSURANCE, address="神奈川県川崎市高津区千年４丁目１８番２０号"))  # fmt: skip
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "2004")


def test_reference_number_never_outvotes_the_full_insurance(matcher: Matcher) -> None:
    """A peer project's case: 照会番号 99 is an old chart with the same kana and birthdate but no insurance,
    chart 2100 matches 保険者番号・記号・番号・枝番. Not an auto-link to 99: staff decide, and are told why."""
    result = matcher.match(Identity(name="試験　秋子", name_kana="ｼｹﾝ ｱｷｺ", birthdate="19601010", sex="2",
                                    insurer_number="06999995", insured_card_symbol="試験",
                                    insured_identification_number="2100", insured_branch_number="00",
                                    reference_number="99"))  # fmt: skip
    assert result.decision is Decision.REVIEW and result.patient_id is None
    assert result.reference_correction
    assert REASON_REFERENCE_OUTVOTED in result.why_not_auto
    assert [c.patient_id for c in result.candidates[:2]] == ["2100", "99"]
    assert "照会番号の患者より強く一致(照会番号訂正の候補)" in result.candidates[0].reasons


def test_a_verified_reference_still_links_when_nothing_is_stronger(matcher: Matcher) -> None:
    result = matcher.match(Identity(name="試験　秋子", name_kana="ｼｹﾝ ｱｷｺ", birthdate="19601010", sex="2",
                                    insurer_number="39999995", insured_identification_number="1",
                                    reference_number="99"))  # fmt: skip
    # Chart 2100 is a namesake with nothing to corroborate it: the verified 照会番号 decides.
    assert (result.decision, result.patient_id, result.method) == (Decision.AUTO_LINK, "99", "reference_number")


def test_name_of_other_matches_a_chart_kept_under_the_tsusho(matcher: Matcher) -> None:
    identity = Identity(name="TESTER ANNA", name_kana="ﾃｽﾀｰ ｱﾝﾅ", name_of_other="試験　杏奈",
                        name_of_other_kana="ｼｹﾝ ｱﾝﾅ", birthdate="19900909", sex="2", insurer_number="06999995",
                        insured_card_symbol="試験", insured_identification_number="2200",
                        insured_branch_number="00")  # fmt: skip
    result = matcher.match(identity)
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "2200")
    assert "カナ氏名(通称):完全一致(+14)" in top_reasons(result)
    assert result.candidates[0].by_other_name
    without = matcher.match(Identity(**{**identity.__dict__, "name_of_other": None, "name_of_other_kana": None}))
    assert without.decision is not Decision.AUTO_LINK


def test_empty_strings_are_missing_values(matcher: Matcher) -> None:
    blank = {"reference_number": "", "insured_card_symbol": "試験", "postcode": " ", "name_of_other_kana": ""}
    result = matcher.match(Identity(**TARO, insurer_number="06999995", insured_identification_number="2001",
                                    insured_branch_number="00", **blank))  # fmt: skip
    assert (result.decision, result.patient_id, result.method) == (Decision.AUTO_LINK, "2001", "match")
    assert not result.reference_correction


def test_no_kana_is_never_auto_linked(matcher: Matcher) -> None:
    result = matcher.match(Identity(name="試験　太郎", birthdate="19500401", sex="1", insurer_number="06999995",
                                    insured_card_symbol="試験", insured_identification_number="2001",
                                    insured_branch_number="00"))  # fmt: skip
    assert result.decision is Decision.REVIEW and result.candidates[0].patient_id == "2001"
