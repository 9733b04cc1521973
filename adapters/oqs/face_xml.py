"""Parse an OQS face-auth result file (OQSsiquc01res_face_*.xml) into a FaceDocument.

The terminal writes UTF-8 or Shift_JIS depending on its setup, element order is free, values
must stay exactly as sent (space-padded insurer numbers, leading zeros), and the file may be
hostile or half-written; every failure becomes a FaceProblem, never an exception.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kiosk.core.face import (
    FaceDocument,
    FaceProblem,
    Identity,
    QualificationResult,
    parse_yyyymmdd,
)

ExpectedEncoding = Literal["auto", "utf-8", "shift_jis"]

_DECLARATION = re.compile(rb"^\s*<\?xml\b[^>]*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENCODING_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "cp932": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
}
_LABEL = {"utf-8": "UTF-8", "cp932": "Shift_JIS"}
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
}
_SEX_CODES = {"1", "2", "3"}


def problem(code: str, ja: str, en: str, *, maybe_incomplete: bool = False) -> FaceProblem:
    return FaceProblem(code=code, ja=ja, en=en, maybe_incomplete=maybe_incomplete)


def oversize_problem(size: int, cap: int) -> FaceProblem:
    return problem(
        "oversize",
        f"ファイルが大きすぎます（{size}バイト、上限{cap}バイト）",
        f"file too large ({size} bytes, limit {cap} bytes)",
    )


def parse_face_file(
    raw: bytes, *, max_bytes: int = 4 * 1024 * 1024, expected_encoding: ExpectedEncoding = "auto"
) -> FaceDocument | FaceProblem:
    if not raw:
        return problem("empty", "空のファイルです", "empty file", maybe_incomplete=True)
    if len(raw) > max_bytes:
        return oversize_problem(len(raw), max_bytes)
    decoded = _decode(raw, expected_encoding)
    if isinstance(decoded, FaceProblem):
        return decoded
    text, encoding = decoded
    root = _parse_xml(text)
    if isinstance(root, FaceProblem):
        return root
    return _read_document(root, encoding)


def _decode(raw: bytes, expected: ExpectedEncoding) -> tuple[str, str] | FaceProblem:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem("encoding", "UTF-16は扱えません", "UTF-16 is not supported")
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    declaration = _DECLARATION.match(body)
    declared: str | None = None
    if declaration:
        found = _DECLARED_ENCODING.search(declaration.group(0))
        if found:
            label = found.group(1).decode("ascii").lower()
            declared = _ENCODING_ALIASES.get(label)
            if declared is None:
                return problem(
                    "encoding",
                    f"未対応の文字コード宣言です（{label}）",
                    f"unsupported encoding declaration ({label})",
                )
    elif body.lstrip()[:1] != b"<":
        return problem(
            "not_xml",
            "XMLではありません（暗号化設定が有効かもしれません）",
            "not XML (is output encryption enabled on the terminal?)",
        )

    actual = _sniff(body)
    if actual is None:
        return problem(
            "encoding",
            "UTF-8としてもShift_JISとしても読めません",
            "bytes are neither valid UTF-8 nor Shift_JIS",
            maybe_incomplete=_truncated_multibyte(body),
        )
    if actual == "ascii":
        actual = declared or "utf-8"
    if bom and actual != "utf-8":
        return problem("encoding", "BOMと内容の文字コードが一致しません", "byte-order mark does not match the content")
    stated = declared or "utf-8"  # XML's default without a declaration
    if actual != stated:
        return problem(
            "encoding_mismatch",
            f"文字コード宣言（{_LABEL[stated]}）と内容（{_LABEL[actual]}）が一致しません",
            f"encoding declaration ({_LABEL[stated]}) does not match the content ({_LABEL[actual]})",
        )
    if expected != "auto":
        wanted = _ENCODING_ALIASES[expected]
        if actual != wanted:
            return problem(
                "encoding_setting",
                f"設定の文字コード（{_LABEL[wanted]}）と異なるファイルです（{_LABEL[actual]}）",
                f"file is {_LABEL[actual]} but the configured encoding is {_LABEL[wanted]}",
            )
    text = body.decode(actual)
    if declaration:
        text = text[len(declaration.group(0).decode(actual)) :]
    return text, actual


def _sniff(body: bytes) -> str | None:
    if body.isascii():
        return "ascii"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("cp932")
        return "cp932"
    except UnicodeDecodeError:
        return None


def _truncated_multibyte(body: bytes) -> bool:
    """A file cut in the middle of a multi-byte character decodes once its tail is dropped."""
    for cut in (1, 2, 3):
        head = body[:-cut]
        for enc in ("utf-8", "cp932"):
            try:
                head.decode(enc)
                return True
            except UnicodeDecodeError:
                continue
    return False


def _parse_xml(text: str) -> Element | FaceProblem:
    try:
        root: Element = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return problem(
            "unsafe_xml",
            "DTD・実体参照を含む危険なXMLのため読み込みません",
            "unsafe XML (DTD or entity declarations) refused",
        )
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        return problem(
            "malformed",
            f"XMLが壊れています（{line}行{column}桁）",
            f"malformed XML (line {line}, column {column})",
            maybe_incomplete=True,
        )
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None, name: str) -> str | None:
    if element is None:
        return None
    child = _child(element, name)
    if child is None or child.text is None or child.text == "":
        return None
    return child.text


def to_data(element: Element) -> Any:
    """Everything under an element as plain data; `...List` containers are always lists."""
    kids = list(element)
    if not kids:
        return element.text if element.text is not None else ""
    if _local(element.tag).endswith("List"):
        return [to_data(kid) if list(kid) else {_local(kid.tag): kid.text or ""} for kid in kids]
    grouped: dict[str, list[Any]] = {}
    for kid in kids:
        grouped.setdefault(_local(kid.tag), []).append(to_data(kid))
    return {key: values[0] if len(values) == 1 else values for key, values in grouped.items()}


def _read_document(root: Element, encoding: str) -> FaceDocument | FaceProblem:
    if _local(root.tag) != "XmlMsg":
        return problem(
            "not_face_result",
            f"資格確認結果のXMLではありません（ルート要素 {_local(root.tag)}）",
            f"not a qualification result (root element {_local(root.tag)})",
        )
    header_el = _child(root, "MessageHeader")
    body_el = _child(root, "MessageBody")
    if header_el is None or body_el is None:
        return problem(
            "incomplete_message",
            "MessageHeader または MessageBody がありません",
            "MessageHeader or MessageBody is missing",
        )
    header = {_local(el.tag): (el.text or "") for el in header_el if not list(el)}
    segment = header.get("SegmentOfResult")
    if header.get("ErrorCode") or (segment is not None and segment != "1"):
        code = header.get("ErrorCode") or f"SegmentOfResult={segment}"
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（{code}）",
            f"the terminal reported an error ({code})",
        )
    body_scalars = {_local(el.tag): (el.text or "") for el in body_el if not list(el)}
    if body_scalars.get("ProcessingResultStatus") == "2":
        code = body_scalars.get("ProcessingResultCode") or "-"
        return problem(
            "terminal_error",
            f"資格確認端末の処理エラーです（処理結果コード {code}）",
            f"the terminal reported a processing error (result code {code})",
        )
    result_list = _child(body_el, "ResultList")
    results_el = _children(result_list, "ResultOfQualificationConfirmation") if result_list is not None else []
    if not results_el:
        return problem("no_results", "資格確認結果が含まれていません", "the file contains no qualification result")

    warnings: list[str] = []
    cci = header.get("CharacterCodeIdentifier")
    if cci in _CCI_ENCODING and _CCI_ENCODING[cci] != encoding:
        warnings.append(f"CharacterCodeIdentifier={cci} but the file is {_LABEL[encoding]}")
    results: list[QualificationResult] = []
    for index, result_el in enumerate(results_el):
        result = _read_result(result_el, body_scalars, index, warnings)
        if isinstance(result, FaceProblem):
            return result
        results.append(result)
    return FaceDocument(encoding=_LABEL[encoding], header=header, results=tuple(results), warnings=tuple(warnings))


def _read_result(
    element: Element, body_scalars: dict[str, str], index: int, warnings: list[str]
) -> QualificationResult | FaceProblem:
    values = {field: _text(element, tag) for field, tag in _IDENTITY_FIELDS.items()}
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
        classification=_text(element, "InsuredCardClassification"),
        details=details,
    )
