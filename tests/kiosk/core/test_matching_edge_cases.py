"""research matching.md §3.6: every edge case as a named regression test with its expected decision.

The registry is tests/fixtures/registry/edge_cases.csv (fake people only), loaded into the real
embedded SQL registry; identities are shaped like face results.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bootstrap import Store
from kiosk.core.face import Identity
from kiosk.core.matching import REASON_MARGIN, REASON_NO_CORROBORATION, Decision, Matcher, MatchResult
from kiosk.services.registry_import import import_csv
from tests.conftest import FIXTURES

REGISTRY = FIXTURES / "registry" / "edge_cases.csv"
INS_A = {"insurer_number": "06999991", "insured_card_symbol": "試験"}
INS_B = {"insurer_number": "06999992"}


@pytest.fixture
def matcher(store: Store) -> Iterator[Matcher]:
    report = import_csv(store.sessions, REGISTRY)
    assert report.rejected == [] and report.added == 25
    yield Matcher(store.registry)


def ident(kana: str, birthdate: str, sex: str, **fields: str) -> Identity:
    return Identity(name_kana=kana, birthdate=birthdate, sex=sex, **fields)


def reasons(result: MatchResult) -> str:
    return " ".join(r for c in result.candidates[:1] for r in c.reasons)


def test_twin_with_branch_links_to_the_right_twin_only(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ﾕｳｷ", "20150601", "1", insured_identification_number="1111", insured_branch_number="02", **INS_A)
    )
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "1002")
    sibling = next(c for c in result.candidates if c.patient_id == "1001")
    assert any("枝番が異なる" in r for r in sibling.reasons)


def test_unregistered_triplet_is_never_linked_to_a_sibling(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ﾕｳｼﾞ", "20150601", "1", insured_identification_number="1111", insured_branch_number="03", **INS_A)
    )
    assert result.decision is not Decision.AUTO_LINK
    assert result.patient_id is None


def test_twin_without_branch_in_registry(matcher: Matcher) -> None:
    right = matcher.match(
        ident("ｼｹﾝ ﾋﾅ", "20150702", "2", insured_identification_number="2222", insured_branch_number="02", **INS_A)
    )
    assert (right.decision, right.patient_id) == (Decision.AUTO_LINK, "1004")
    unknown = matcher.match(ident("ｼｹﾝ ﾕｳﾄ", "20150702", "1", insured_identification_number="2222", **INS_A))
    assert unknown.decision is Decision.REVIEW
    assert "家族の可能性" in reasons(unknown)


def test_twins_with_one_edit_names_go_to_review(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ｱﾕﾐﾞ", "20120202", "2", insured_identification_number="3333", insured_branch_number="02", **INS_A)
    )
    assert result.decision is Decision.REVIEW


def test_same_name_and_birthdate_in_another_household_needs_corroboration(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ﾊﾅｺ",
            "19700101",
            "2",
            name="試験　花子",
            insurer_number="39999999",
            insured_identification_number="1",
            postcode="999-9999",
        )
    )
    assert result.decision is Decision.REVIEW
    assert REASON_NO_CORROBORATION in reasons(result)


def test_marriage_goes_to_review_labelled_as_name_change(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼﾞｯｹﾝ ｹｲｺ",
            "19850303",
            "2",
            insurer_number="39999999",
            insured_identification_number="12",
            postcode="999-0003",
        )
    )
    assert result.decision is Decision.REVIEW
    assert result.candidates[0].patient_id == "1031"
    assert "改姓の可能性" in reasons(result)


def test_registry_kana_without_separator_still_recognises_a_name_change(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼﾞｯｹﾝ ｻﾁｺ",
            "19860404",
            "2",
            insurer_number="01999991",
            insured_identification_number="5556",
            insured_branch_number="00",
        )
    )
    assert result.decision is Decision.REVIEW
    assert result.candidates[0].patient_id == "1032"
    assert "改姓の可能性" in reasons(result)


def test_family_sharing_insurance_without_branch_is_separated_by_name_and_birthdate(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ｼﾞﾛｳ",
            "19900220",
            "1",
            insurer_number="  999993",
            insured_identification_number="7777",
            insured_branch_number="02",
        )
    )
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "1042")


def test_duplicate_charts_go_to_review_with_a_merge_hint(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ｻﾌﾞﾛｳ", "19550505", "1", insured_identification_number="8888", insured_branch_number="00", **INS_A)
    )
    assert result.decision is Decision.REVIEW
    assert {c.patient_id for c in result.candidates[:2]} == {"1051", "1052"}
    assert REASON_MARGIN in reasons(result)


@pytest.mark.parametrize(
    ("kana", "birthdate", "sex", "number", "patient_id"),
    [
        ("ﾁﾁﾞﾜ ﾐﾂﾞﾎ", "19750707", "2", "9001", "1061"),
        ("ｵｵﾀ ﾕｳｺ", "19760808", "2", "9002", "1062"),
        ("ﾀｶﾊｼ ｼｹﾝ", "19661231", "1", "9004", "1071"),
    ],
)
def test_kana_variants_link(
    matcher: Matcher, kana: str, birthdate: str, sex: str, number: str, patient_id: str
) -> None:
    result = matcher.match(
        ident(kana, birthdate, sex, insured_identification_number=number, insured_branch_number="01", **INS_B)
    )
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, patient_id)


def test_dakuten_slip_links_only_with_the_individual_insurance_key(matcher: Matcher) -> None:
    with_branch = matcher.match(
        ident(
            "ｽｽﾞｷ ｼｹﾝ",
            "19770909",
            "1",
            name="鈴木　試験",
            insured_identification_number="9003",
            insured_branch_number="01",
            **INS_B,
        )
    )
    assert (with_branch.decision, with_branch.patient_id) == (Decision.AUTO_LINK, "1063")
    without = matcher.match(ident("ｽｽﾞｷ ｼｹﾝ", "19770909", "1", name="鈴木　試験", postcode="999-0006"))
    assert without.decision is Decision.REVIEW
    no_kanji = matcher.match(
        ident("ｽｽﾞｷ ｼｹﾝ", "19770909", "1", insured_identification_number="9003", insured_branch_number="01", **INS_B)
    )
    assert no_kanji.decision is Decision.REVIEW  # a kana slip with nothing else than insurance stays with staff


def test_old_kanji_and_insurer_replacements(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ﾀｶﾊｼ ｼｹﾝ",
            "19661231",
            "1",
            name="高橋　試験",
            insured_identification_number="9004",
            insured_branch_number="01",
            **INS_B,
        )
    )
    assert result.patient_id == "1071"
    assert any("異体字" in r for r in result.candidates[0].reasons)
    placeholder = matcher.match(
        ident(
            "ﾜﾀﾅﾍﾞ ｼｹﾝ",
            "19670115",
            "2",
            name="渡●　試験",
            insured_identification_number="9005",
            insured_branch_number="01",
            **INS_B,
        )
    )
    assert placeholder.patient_id == "1072"


def test_birthdate_swap_goes_to_review(matcher: Matcher) -> None:
    result = matcher.match(ident("ｼｹﾝ ｼﾛｳ", "19800504", "1", postcode="999-0008"))
    assert result.decision is Decision.REVIEW
    assert result.candidates[0].patient_id == "1091"
    assert "生年月日が一致しない" in reasons(result)


def test_placeholder_birthdate_is_never_auto(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ｺﾞﾛｳ", "19000101", "1", insured_identification_number="9007", insured_branch_number="01", **INS_B)
    )
    assert result.decision is not Decision.AUTO_LINK


def test_wrong_reference_number_becomes_a_correction_review(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ﾕｳｷ",
            "20150601",
            "1",
            reference_number="1001",
            insured_identification_number="1111",
            insured_branch_number="02",
            **INS_A,
        )
    )
    assert result.decision is Decision.REVIEW
    assert result.reference_correction
    wrong = next(c for c in result.candidates if c.patient_id == "1001")
    assert any("照会番号訂正" in r for r in wrong.reasons)


def test_verified_reference_survives_an_insurer_change(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ﾛｸﾛｳ",
            "19500606",
            "1",
            reference_number="1101",
            insurer_number="39999999",
            insured_identification_number="1",
        )
    )
    assert (result.decision, result.patient_id, result.method) == (Decision.AUTO_LINK, "1101", "reference_number")


def test_sex_mismatch_goes_to_review(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ﾅﾅﾐ", "19880818", "1", insured_identification_number="9009", insured_branch_number="01", **INS_B)
    )
    assert result.decision is Decision.REVIEW
    assert "性別が一致しない" in reasons(result)


def test_foreign_name_with_separator(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｽﾐｽ ｼﾞｮﾝ", "19791111", "1", insured_identification_number="9010", insured_branch_number="01", **INS_B)
    )
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "1121")


def test_insurance_formatting_padding_width_and_branch_digits(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ﾊﾁﾛｳ",
            "19820212",
            "1",
            insurer_number="  999994",
            insured_card_symbol="123",
            insured_identification_number="0045678",
            insured_branch_number="01",
        )
    )
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "1131")
    assert any("枝番 一致" in r for r in result.candidates[0].reasons)


def test_newborn_without_kana_in_registry_is_never_auto(matcher: Matcher) -> None:
    result = matcher.match(
        ident(
            "ｼｹﾝ ｱｶｺ",
            "20260101",
            "2",
            name="試験　赤子",
            insured_identification_number="9011",
            insured_branch_number="01",
            **INS_B,
        )
    )
    assert result.decision is Decision.REVIEW
    assert result.candidates[0].patient_id == "1141"


def test_a_new_patient_is_no_match(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ﾍﾞﾂｼﾞﾝ ﾀﾞﾚｶ", "19991231", "1", insurer_number="39999999", insured_identification_number="5")
    )
    assert result.decision is Decision.NO_MATCH and result.patient_id is None


def test_reimport_appends_history_and_old_names_stay_matchable(store: Store, matcher: Matcher, tmp_path: Path) -> None:
    married = tmp_path / "married.csv"
    married.write_text(
        "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
        "insured_branch_number,postcode\n1031,実験 恵子,ｼﾞｯｹﾝ ｹｲｺ,1985-03-03,F,39999999,,12,00,999-0003\n",
        encoding="utf-8",
    )
    report = import_csv(store.sessions, married)
    assert (report.added, report.updated) == (0, 1)
    assert store.registry.count() == 25
    new = matcher.match(
        ident(
            "ｼﾞｯｹﾝ ｹｲｺ",
            "19850303",
            "2",
            insurer_number="39999999",
            insured_identification_number="12",
            insured_branch_number="00",
        )
    )
    assert (new.decision, new.patient_id) == (Decision.AUTO_LINK, "1031")
    old = matcher.match(
        ident(
            "ｼｹﾝ ｹｲｺ",
            "19850303",
            "2",
            insured_identification_number="5555",
            insurer_number="01999991",
            insured_branch_number="00",
        )
    )
    assert (old.decision, old.patient_id) == (Decision.AUTO_LINK, "1031")
    assert any("旧姓" in r for r in old.candidates[0].reasons)


def test_reference_number_of_nobody_in_the_registry_is_a_correction(matcher: Matcher) -> None:
    result = matcher.match(
        ident("ｼｹﾝ ﾛｸﾛｳ", "19500606", "1", reference_number="0000999", insured_identification_number="9008",
              insured_branch_number="01", **INS_B)
    )  # fmt: skip
    assert result.decision is Decision.REVIEW and result.reference_correction
    assert "照会番号の患者が台帳にありません(照会番号訂正)" in result.why_not_auto
