"""Parse an OQS face-auth result file (OQSsiquc01res_face_*.xml) into a FaceDocument.

Element order is free, values must stay exactly as sent (space-padded insurer numbers, leading
zeros), and the file may be hostile or half-written; every failure becomes a FaceProblem.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from adapters.oqs.oqs_xml import (
    LABEL,
    Decoded,
    ExpectedEncoding,
    child,
    children,
    decode_and_parse,
    local,
    oversize_problem,
    problem,
    text_of,
    to_data,
)
from kiosk.core.face import (
    PUBLIC_ASSISTANCE_CLASSIFICATION,
    FaceDocument,
    FaceProblem,
    Identity,
    QualificationResult,
    parse_yyyymmdd,
)
from kiosk.core.qualification import qualification_of

__all__ = ["ExpectedEncoding", "oversize_problem", "parse_face_file", "problem"]

_CCI_ENCODING = {"0": "utf-8", "1": "cp932"}

_IDENTITY_FIELDS = {
    "name": "Name",
    "name_kana": "NameKana",
    "birthdate": "Birthdate",
    "sex": "Sex1",
    "insurer_number": "InsurerNumber",
    "insured_card_symbol": "InsuredCardSymbol",
    "insured_identification_number": "InsuredIdentificationNumber",
    "insured_branch_number": "InsuredBranchNumber",
    "postcode": "PostNumber",
    "address": "Address",
    "reference_number": "ReferenceNumber",
    "name_of_other": "NameOfOther",
    "name_of_other_kana": "NameOfOtherKana",
}
_SEX_CODES = {"1", "2", "3"}
# A result must not say who the person is, or which insurance, twice: a peer project refuses such results and
# so do we (which of two 保険者番号 would be the right one?).
_SINGLE_ELEMENTS = (
    *_IDENTITY_FIELDS.values(), "Sex2", "InsuredCardClassification", "PersonalFamilyClassification",
    "QualificationDate", "DisqualificationDate", "InsuredPartialContributionRatio", "PublicExpenseNumber",
    "BeneficiaryNumber",
)  # fmt: skip
# 医療扶助 results seen in the wild name the 公費負担者番号 and 受給者番号 differently (research §2.3).
_ASSISTANCE_ALTERNATES = {"insurer_number": "PublicExpenseNumber", "insured_identification_number": "BeneficiaryNumber"}


def parse_face_file(
    raw: bytes, *, max_bytes: int = 4 * 1024 * 1024, expected_encoding: ExpectedEncoding = "auto"
) -> FaceDocument | FaceProblem:
    if len(raw) > max_bytes:
        return oversize_problem(len(raw), max_bytes)
    parsed = decode_and_parse(raw, expected_encoding)
    if isinstance(parsed, FaceProblem):
        return parsed
    return _read_document(parsed)


def _read_document(decoded: Decoded) -> FaceDocument | FaceProblem:
    root, encoding = decoded.root, decoded.encoding
    if local(root.tag) != "XmlMsg":
        return problem(
            "not_face_result",
            f"資格確認結果のXMLではありません（ルート要素 {local(root.tag)}）",
            f"not a qualification result (root element {local(root.tag)})",
        )
    header_el = child(root, "MessageHeader")
    body_el = child(root, "MessageBody")
    if header_el is None or body_el is None:
        return problem(
            "incomplete_message",
            "MessageHeader または MessageBody がありません",
            "MessageHeader or MessageBody is missing",
        )
    header = {local(el.tag): (el.text or "") for el in header_el if not list(el)}
    segment = header.get("SegmentOfResult")
    if header.get("ErrorCode") or (segment is not None and segment != "1"):
        code = header.get("ErrorCode") or f"SegmentOfResult={segment}"
        said = _terminal_says(header.get("ErrorMessage"))
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（{code}）{said}",
            f"the terminal reported an error ({code}){said}",
        )
    body_scalars = {local(el.tag): (el.text or "") for el in body_el if not list(el)}
    if body_scalars.get("ProcessingResultStatus") == "2":
        code = body_scalars.get("ProcessingResultCode") or "-"
        said = _terminal_says(body_scalars.get("ProcessingResultMessage"))
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（処理結果コード {code}）{said}",
            f"the terminal reported a processing error (result code {code}){said}",
        )
    doubled = _doubled(body_el, ("QualificationValidity", "ProcessingResultStatus"))
    if doubled:
        return _doubled_problem(doubled)
    result_list = child(body_el, "ResultList")
    results_el = children(result_list, "ResultOfQualificationConfirmation") if result_list is not None else []
    if not results_el:
        return problem("no_results", "資格確認結果が含まれていません", "the file contains no qualification result")

    warnings: list[str] = list(decoded.warnings)
    cci = header.get("CharacterCodeIdentifier")
    if cci in _CCI_ENCODING and _CCI_ENCODING[cci] != encoding:
        warnings.append(f"CharacterCodeIdentifier={cci} but the file is {LABEL[encoding]}")
    results: list[QualificationResult] = []
    for index, result_el in enumerate(results_el):
        result = _read_result(result_el, header, body_scalars, index, warnings)
        if isinstance(result, FaceProblem):
            return result
        results.append(result)
    return FaceDocument(encoding=LABEL[encoding], header=header, results=tuple(results), warnings=tuple(warnings),
                        encoding_basis=decoded.basis)  # fmt: skip


def _terminal_says(message: str | None) -> str:
    """The terminal's own words, shown as it sent them (staff may need them to call the help desk)."""
    return f"「{message.strip()}」" if message and message.strip() else ""


def _doubled(element: Element, names: tuple[str, ...]) -> str | None:
    seen: set[str] = set()
    for kid in element:
        name = local(kid.tag)
        if name in names:
            if name in seen:
                return name
            seen.add(name)
    return None


def _doubled_problem(name: str) -> FaceProblem:
    return problem(
        "doubled_element",
        f"同じ項目が2回あります（{name}）。どちらが正しいか分からないため読み込みません",
        f"the element {name} appears twice; the result is refused (which value would be right?)",
    )


def _read_result(
    element: Element, header: dict[str, str], body_scalars: dict[str, str], index: int, warnings: list[str]
) -> QualificationResult | FaceProblem:
    doubled = _doubled(element, _SINGLE_ELEMENTS)
    if doubled:
        return _doubled_problem(doubled)
    values = {field: text_of(element, tag) for field, tag in _IDENTITY_FIELDS.items()}
    classification = text_of(element, "InsuredCardClassification")
    if classification == PUBLIC_ASSISTANCE_CLASSIFICATION:
        for field, alternate in _ASSISTANCE_ALTERNATES.items():
            values[field] = values[field] or text_of(element, alternate)
    if values["sex"] not in ("1", "2") and text_of(element, "Sex2") in ("1", "2"):
        values["sex"] = text_of(element, "Sex2")  # Sex1 missing or 未設定: Sex2 is the person's sex
    birthdate = values["birthdate"]
    if birthdate is None:
        return problem("invalid_date", "生年月日がありません", "birthdate is missing")
    if parse_yyyymmdd(birthdate) is None:
        return problem("invalid_date", "生年月日が正しい日付ではありません", "birthdate is not a valid date")
    if values["sex"] is not None and values["sex"] not in _SEX_CODES:
        warnings.append(f"result {index}: unknown Sex1 code")
    details = to_data(element)
    if not isinstance(details, dict):
        details = {}
    for key, value in list(details.items()):
        is_date = key.endswith("Date") and key != "Birthdate" and isinstance(value, str) and value
        if is_date and parse_yyyymmdd(value) is None:
            warnings.append(f"result {index}: {key} is not a valid date")
            details[f"{key}Invalid"] = value
            details[key] = None
    details["MessageBody"] = body_scalars
    validity = body_scalars.get("QualificationValidity") or None
    notice = None
    if body_scalars.get("ProcessingResultCode") or body_scalars.get("ProcessingResultMessage"):
        code = body_scalars.get("ProcessingResultCode") or "-"
        notice = f"{code} {body_scalars.get('ProcessingResultMessage') or ''}".strip()
    return QualificationResult(
        identity=Identity(**values),
        classification=classification,
        qualification=qualification_of(validity, details.get("DisqualificationDate"),
                                       header.get("QualificationConfirmationDate")),
        validity=validity,
        notice=notice,
        details=details,
    )
