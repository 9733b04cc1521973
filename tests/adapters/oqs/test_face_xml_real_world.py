"""Face results as terminals and other tools really write them (issue 17): the decoding rule, qualification
state, lapsed results, terminal messages and notices, doubled elements, 医療扶助 alternates and Sex2."""

from __future__ import annotations

import pytest

from adapters.oqs.face_xml import parse_face_file
from kiosk.core.face import FaceDocument, FaceProblem
from kiosk.core.qualification import lapsed_history
from tests.adapters.oqs.test_face_xml import refused
from tests.conftest import face_fixture


def parsed(case: str, raw: bytes | None = None, **kwargs: object) -> FaceDocument:
    result = parse_face_file(raw if raw is not None else face_fixture(case).read_bytes(), **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, FaceDocument), result
    return result


# -- the decoding rule: a BOM decides; else a declaration; else UTF-8 if valid, else CP932, else refuse ----------
@pytest.mark.parametrize("case", ["sjis_declaration_without_encoding", "sjis_without_any_declaration"])
@pytest.mark.parametrize("setting", ["auto", "shift_jis"])
def test_undeclared_shift_jis_is_read_as_cp932_and_says_so(case: str, setting: str) -> None:
    doc = parsed(case, expected_encoding=setting)
    assert (doc.encoding, doc.encoding_basis) == ("Shift_JIS", "detected")
    assert doc.results[0].identity.name == "試験　髙子"  # a CP932 kanji outside plain Shift_JIS's common set


def test_undeclared_shift_jis_is_refused_when_the_setting_says_utf8() -> None:
    assert refused("sjis_without_any_declaration", expected_encoding="utf-8").code == "encoding_setting"


def test_a_bom_decides_over_a_declaration() -> None:
    doc = parsed("bom_wins_over_sjis_declaration")
    assert (doc.encoding, doc.encoding_basis) == ("UTF-8", "bom")
    assert any("byte-order mark decides" in w for w in doc.warnings)


def test_declared_encodings_decide_and_lies_stay_refused() -> None:
    assert parsed("kokuho_shift_jis_random_order").encoding_basis == "declared"
    assert parsed("utf8_without_declaration").encoding_basis == "detected"
    assert refused("lying_declaration_sjis_but_utf8").code == "encoding_mismatch"
    assert refused("lying_declaration_utf8_but_sjis").code == "encoding_mismatch"
    garbage = b'<?xml version="1.0"?><XmlMsg>\xff\xfe\xfa</XmlMsg>'
    result = parse_face_file(garbage)
    assert isinstance(result, FaceProblem) and result.code == "encoding"


# -- qualification -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "state"),
    [("1", "valid"), ("2", "invalid"), ("3", "invalid"), ("4", "invalid"), ("5", "invalid"), ("6", "valid")],
)
def test_qualification_validity_codes(code: str, state: str) -> None:
    tag = "<QualificationValidity>{}</QualificationValidity>"
    raw = face_fixture("qualification_invalid").read_bytes().replace(tag.format(2).encode(), tag.format(code).encode())
    (result,) = parsed("qualification_invalid", raw).results
    assert (result.qualification, result.validity) == (state, code)


def test_a_file_that_says_nothing_has_no_qualification_state() -> None:
    (result,) = parsed("qualification_not_stated").results
    assert (result.qualification, result.validity) == (None, None)


def test_a_lapsed_result_of_the_same_person_is_history_of_the_current_one() -> None:
    doc = parsed("lapsed_and_current_same_person")
    lapsed, current = doc.results
    assert lapsed.qualification == "lapsed" and current.qualification == "valid"
    assert lapsed.details["ReasonOfLoss"] == "03"
    assert lapsed_history(doc.results) == {0: 1}


def test_a_lapsed_result_of_another_person_stays_its_own() -> None:
    raw = face_fixture("lapsed_and_current_same_person").read_bytes()
    other = raw.replace("ｼｹﾝ ﾀｶｺ</NameKana><Sex1>2</Sex1><Birthdate>19700707".encode(),
                        "ｼｹﾝ ﾅｵｺ</NameKana><Sex1>2</Sex1><Birthdate>19700707".encode(), 1)  # fmt: skip
    other = other.replace("試験　髙子".encode(), "試験　直子".encode(), 1)
    doc = parsed("lapsed_and_current_same_person", other)
    assert doc.results[0].qualification == "lapsed" and lapsed_history(doc.results) == {}


def test_a_loss_date_on_the_confirmation_day_is_lapsed() -> None:
    raw = face_fixture("lapsed_and_current_same_person").read_bytes().replace(b"20250331", b"20250401")
    assert parsed("lapsed_and_current_same_person", raw).results[0].qualification == "lapsed"
    later = face_fixture("lapsed_and_current_same_person").read_bytes().replace(b"20250331", b"20250402")
    assert parsed("lapsed_and_current_same_person", later).results[0].qualification == "valid"


# -- terminal messages ----------------------------------------------------------------------------------------
def test_a_terminal_error_carries_the_terminals_message() -> None:
    problem = refused("segment_error_with_message")
    assert problem.code == "terminal_error"
    assert "SYNTH0002" in problem.ja and "試験用：資格確認に失敗しました" in problem.ja
    assert "試験用：資格確認に失敗しました" in problem.en
    assert "試験用のエラー" in refused("terminal_processing_error").ja


def test_a_notice_on_a_good_result_is_kept() -> None:
    (result,) = parsed("notice_card_expiring").results
    assert result.notice == "SYNTH1001 試験用：マイナンバーカードの有効期限が近づいています"
    assert parsed("shaho_reference_number").results[0].notice is None


# -- doubled elements, 医療扶助 alternates, Sex2 -------------------------------------------------------------
def test_a_doubled_insurance_element_is_refused_naming_it() -> None:
    problem = refused("doubled_insurer_number")
    assert problem.code == "doubled_element"
    assert "InsurerNumber" in problem.ja and "InsurerNumber" in problem.en


@pytest.mark.parametrize(
    ("tag", "value"), [("Birthdate", "19700708"), ("NameKana", "ｼｹﾝ ﾅｵｺ"), ("InsuredBranchNumber", "01")]
)
def test_any_doubled_identity_element_is_refused(tag: str, value: str) -> None:
    raw = face_fixture("notice_card_expiring").read_bytes()
    opening = f"<{tag}>".encode()
    doubled = raw.replace(opening, f"<{tag}>{value}</{tag}>".encode() + opening, 1)
    result = parse_face_file(doubled)
    assert isinstance(result, FaceProblem) and result.code == "doubled_element" and tag in result.en


def test_medical_assistance_alternate_element_names() -> None:
    (result,) = parsed("medical_assistance_alternate_names").results
    assert result.classification == "A1" and result.qualification == "valid" and result.validity == "6"
    assert result.identity.insurer_number == "12999993"
    assert result.identity.insured_identification_number == "9990007"
    assert result.details["WelfareOfficeName"] == "試験福祉事務所"


def test_sex2_stands_in_for_a_missing_sex1() -> None:
    assert parsed("sex2_without_sex1").results[0].identity.sex == "2"
