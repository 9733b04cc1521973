"""The face XML parser on one fixture per quirk of research §2.6 and case of §6."""

from __future__ import annotations

import pytest

from adapters.oqs.face_xml import parse_face_file
from kiosk.core.face import FaceDocument, FaceProblem
from tests.conftest import face_fixture


def parsed(case: str, **kwargs: object) -> FaceDocument:
    result = parse_face_file(face_fixture(case).read_bytes(), **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, FaceDocument), result
    return result


def refused(case: str, **kwargs: object) -> FaceProblem:
    result = parse_face_file(face_fixture(case).read_bytes(), **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, FaceProblem), result
    return result


def test_shaho_with_reference_number_keeps_leading_zeros_and_details() -> None:
    doc = parsed("shaho_reference_number")
    assert doc.encoding == "UTF-8"
    (result,) = doc.results
    identity = result.identity
    assert identity.reference_number == "000123"
    assert identity.insured_identification_number == "0045678"
    assert identity.insured_branch_number == "00"
    assert identity.name == "試験　太郎"
    assert identity.name_kana == "ｼｹﾝ ﾀﾛｳ"
    assert identity.sex == "1"
    assert identity.postcode == "999-0001"
    limit = result.details["LimitApplicationCertificateRelatedInfo"]
    assert limit["LimitApplicationCertificateClassificationFlag"] == "A03"
    assert result.details["MessageBody"]["PrescriptionIssueSelect"] == "1"
    assert result.details["MessageBody"]["QualificationValidity"] == "1"
    assert result.classification == "01"


def test_kokuho_shift_jis_random_order_keeps_padding_and_full_size_small_kana() -> None:
    doc = parsed("kokuho_shift_jis_random_order")
    assert doc.encoding == "Shift_JIS"
    (result,) = doc.results
    identity = result.identity
    assert identity.insurer_number == "  999991"
    assert identity.insured_card_symbol == "試験市"
    assert identity.name_kana == "ｼｹﾝ ｼﾖｳｺ"
    assert identity.reference_number is None
    # InsuredName is the head of household, never the patient.
    assert result.details["InsuredName"] == "試験　一郎"
    assert identity.name == "試験　翔子"
    assert result.details["ElderlyRecipientCertificateInfo"]["ElderlyRecipientContributionRatio"] == "020"


def test_two_results_with_bom_keep_public_assistance_classification() -> None:
    doc = parsed("two_results_public_assistance_bom")
    assert len(doc.results) == 2
    health, assistance = doc.results
    assert not health.is_public_assistance
    assert assistance.is_public_assistance
    assert assistance.identity.insurer_number == "12999991"
    tickets = assistance.details["PublicExpenseResultList"]
    assert tickets[0]["TicketType"] == "01"
    assert tickets[0]["SelfPayAmount"] == "     0"
    assert health.details["PreschoolClassification"] == "1"


def test_cp932_only_kanji_decodes() -> None:
    (result,) = parsed("cp932_only_kanji").results
    assert result.identity.name == "髙橋　試験"
    assert result.identity.reference_number == "0012"


def test_unknown_elements_are_kept_not_fatal() -> None:
    (result,) = parsed("unknown_elements").results
    assert result.details["FutureReaderIdentifier"] == "R-01"
    assert result.details["SomethingNew"] == {"Inner": "x"}


def test_invalid_secondary_date_is_a_warning_and_kept_raw() -> None:
    doc = parsed("invalid_qualification_date")
    assert any("QualificationDate" in warning for warning in doc.warnings)
    (result,) = doc.results
    assert result.details["QualificationDate"] is None
    assert result.details["QualificationDateInvalid"] == "20231332"


def test_utf8_without_declaration_and_foreign_producer_names() -> None:
    assert parsed("utf8_without_declaration").encoding == "UTF-8"
    assert parsed("foreign_producer_short_name").encoding == "Shift_JIS"


@pytest.mark.parametrize(
    ("case", "code", "maybe_incomplete"),
    [
        ("terminal_processing_error", "terminal_error", False),
        ("terminal_segment_error", "terminal_error", False),
        ("truncated_mid_birthdate", "malformed", True),
        ("lying_declaration_sjis_but_utf8", "encoding_mismatch", False),
        ("lying_declaration_utf8_but_sjis", "encoding_mismatch", False),
        ("xxe_external_entity", "unsafe_xml", False),
        ("entity_bomb", "unsafe_xml", False),
        ("empty_file", "empty", True),
        ("invalid_birthdate", "invalid_date", False),
        ("redacted_birthdate", "invalid_date", False),
        ("not_xml_encrypted", "not_xml", False),
        ("no_results", "no_results", False),
        ("wrong_root", "not_face_result", False),
    ],
)
def test_unusable_files_get_a_bilingual_reason(case: str, code: str, maybe_incomplete: bool) -> None:
    problem = refused(case)
    assert problem.code == code
    assert problem.maybe_incomplete is maybe_incomplete
    assert problem.ja and problem.en
    assert any(ord(ch) > 0x3000 for ch in problem.ja), "Japanese text expected first"


def test_xxe_never_reads_the_entity_target() -> None:
    problem = refused("xxe_external_entity")
    assert "root:" not in problem.reason


def test_oversize_refused_before_parsing() -> None:
    raw = face_fixture("shaho_reference_number").read_bytes()
    problem = parse_face_file(raw, max_bytes=len(raw) - 1)
    assert isinstance(problem, FaceProblem)
    assert problem.code == "oversize"


def test_configured_encoding_must_match() -> None:
    raw = face_fixture("shaho_reference_number").read_bytes()
    problem = parse_face_file(raw, expected_encoding="shift_jis")
    assert isinstance(problem, FaceProblem)
    assert problem.code == "encoding_setting"
    assert isinstance(parse_face_file(raw, expected_encoding="utf-8"), FaceDocument)


def test_every_truncation_of_a_good_file_is_refused_never_raises() -> None:
    raw = face_fixture("kokuho_shift_jis_random_order").read_bytes()
    for cut in range(0, len(raw), 7):
        result = parse_face_file(raw[:cut])
        assert isinstance(result, FaceProblem), cut
