"""Parse an OQS face-auth result file (OQSsiquc01res_face_*.xml) into a FaceDocument.

Element order is free, values must stay exactly as sent (space-padded insurer numbers, leading
zeros), and the file may be hostile or half-written; every failure becomes a FaceProblem.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from adapters.oqs.oqs_xml import (
    LABEL,
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
    FaceDocument,
    FaceProblem,
    Identity,
    QualificationResult,
    parse_yyyymmdd,
)

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


def parse_face_file(
    raw: bytes, *, max_bytes: int = 4 * 1024 * 1024, expected_encoding: ExpectedEncoding = "auto"
) -> FaceDocument | FaceProblem:
    if len(raw) > max_bytes:
        return oversize_problem(len(raw), max_bytes)
    parsed = decode_and_parse(raw, expected_encoding)
    if isinstance(parsed, FaceProblem):
        return parsed
    root, encoding = parsed
    return _read_document(root, encoding)


def _read_document(root: Element, encoding: str) -> FaceDocument | FaceProblem:
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
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（{code}）",
            f"the terminal reported an error ({code})",
        )
    body_scalars = {local(el.tag): (el.text or "") for el in body_el if not list(el)}
    if body_scalars.get("ProcessingResultStatus") == "2":
        code = body_scalars.get("ProcessingResultCode") or "-"
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（処理結果コード {code}）",
            f"the terminal reported a processing error (result code {code})",
        )
    result_list = child(body_el, "ResultList")
    results_el = children(result_list, "ResultOfQualificationConfirmation") if result_list is not None else []
    if not results_el:
        return problem("no_results", "資格確認結果が含まれていません", "the file contains no qualification result")

    warnings: list[str] = []
    cci = header.get("CharacterCodeIdentifier")
    if cci in _CCI_ENCODING and _CCI_ENCODING[cci] != encoding:
        warnings.append(f"CharacterCodeIdentifier={cci} but the file is {LABEL[encoding]}")
    results: list[QualificationResult] = []
    for index, result_el in enumerate(results_el):
        result = _read_result(result_el, body_scalars, index, warnings)
        if isinstance(result, FaceProblem):
            return result
        results.append(result)
    return FaceDocument(encoding=LABEL[encoding], header=header, results=tuple(results), warnings=tuple(warnings))


def _read_result(
    element: Element, body_scalars: dict[str, str], index: int, warnings: list[str]
) -> QualificationResult | FaceProblem:
    values = {field: text_of(element, tag) for field, tag in _IDENTITY_FIELDS.items()}
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
    return QualificationResult(
        identity=Identity(**values),
        classification=text_of(element, "InsuredCardClassification"),
        details=details,
    )
