"""照会番号 registration files in the terminal's req/res folders (OQS-IF-003/004, 009–012).

Requests are published atomically: written under a dot-temp name in req, flushed, then renamed, so
the terminal never picks up half a request. Result files are only read, never deleted or locked.
"""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from adapters.oqs.oqs_xml import child, children, decode_and_parse, problem, text_of
from kiosk.core.face import FaceProblem
from kiosk.core.reference import Answer, ReferenceRequest, ReferenceRuleError

RequestEncoding = Literal["shift_jis", "utf-8"]
SINGLE_REQUEST = "OQSsiimm01req_"
BULK_UPLOAD = "OQSmuimm01req_"
BULK_DOWNLOAD = "OQSmuimm02req_"
MAX_RESULT_BYTES = 64 * 1024 * 1024


def result_name(request_name: str) -> str:
    """The terminal answers under the request's name with req → res."""
    return request_name.replace("req_", "res_", 1)


def _info(parent: Element, request: ReferenceRequest) -> None:
    info = SubElement(parent, "ReferenceNumberRegistrationInfo")
    SubElement(info, "ReferenceNumber").text = request.reference_number
    SubElement(info, "InsurerNumber").text = request.insurer_number
    if request.insured_card_symbol:
        SubElement(info, "InsuredCardSymbol").text = request.insured_card_symbol
    SubElement(info, "InsuredIdentificationNumber").text = request.insured_identification_number
    if request.insured_branch_number:
        SubElement(info, "InsuredBranchNumber").text = request.insured_branch_number


def _serialise(root: Element, encoding: RequestEncoding) -> bytes:
    label, codec = ("Shift_JIS", "cp932") if encoding == "shift_jis" else ("UTF-8", "utf-8")
    text = f'<?xml version="1.0" encoding="{label}" standalone="no"?>\n' + tostring(root, encoding="unicode")
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        raise ReferenceRuleError(
            "Shift_JIS で表せない文字があります（設定で UTF-8 を選べます）",
            "a character cannot be written in Shift_JIS (UTF-8 can be configured)",
        ) from None


def registration_request(
    institution_code: str, file_id: str, requests: list[ReferenceRequest], encoding: RequestEncoding
) -> bytes:
    """OQSsiimm01req (one request) or OQSmuimm01req (one ReferenceNumberRegistrationInfo per patient)."""
    root = Element("XmlMsg")
    header = SubElement(root, "MessageHeader")
    SubElement(header, "MedicalInstitutionCode").text = institution_code
    SubElement(header, "ArbitraryFileIdentifier").text = file_id
    body = SubElement(root, "MessageBody")
    for request in requests:
        _info(body, request)
    return _serialise(root, encoding)


def download_request(institution_code: str, reception_number: str, encoding: RequestEncoding) -> bytes:
    """OQSmuimm02req: ask for the result of a bulk upload."""
    root = Element("XmlMsg")
    header = SubElement(root, "MessageHeader")
    SubElement(header, "MedicalInstitutionCode").text = institution_code
    body = SubElement(root, "MessageBody")
    SubElement(body, "ReceptionNumber").text = reception_number
    return _serialise(root, encoding)


def publish(folder: Path, result_folder: Path, name: str, data: bytes) -> Path:
    """Write `name` into `folder` atomically; refuses to reuse a name that exists (request or result)."""
    target = folder / name
    if target.exists() or (result_folder / result_name(name)).exists():
        raise FileExistsError(name)
    temp = folder / f".uketsuke-{uuid.uuid4().hex}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def read_result_bytes(path: Path) -> bytes:
    """A result file's XML bytes; bulk results may come zipped."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_RESULT_BYTES + 1)
    if path.suffix.lower() != ".zip":
        return raw
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
            if not members or members[0].file_size > MAX_RESULT_BYTES:
                return b""
            return _unpack_capped(archive, members[0])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        return b""  # not a readable zip: the caller reports the file as unreadable


def _unpack_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, read in chunks: the size a zip declares is not trusted (a 1.5 MB bomb may claim 100
    bytes), so reading stops at MAX_RESULT_BYTES of real output and the file counts as unreadable."""
    out = bytearray()
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            out += chunk
            if len(out) > MAX_RESULT_BYTES:
                return b""
    return bytes(out)


def _echo(element: Element | None) -> ReferenceRequest | None:
    if element is None:
        return None
    return ReferenceRequest(
        text_of(element, "ReferenceNumber") or "",
        text_of(element, "InsurerNumber") or "",
        text_of(element, "InsuredCardSymbol"),
        text_of(element, "InsuredIdentificationNumber") or "",
        text_of(element, "InsuredBranchNumber"),
    )


def _header_and_body(raw: bytes) -> tuple[Element, Element | None] | FaceProblem:
    parsed = decode_and_parse(raw)
    if isinstance(parsed, FaceProblem):
        return parsed
    root = parsed.root
    header = child(root, "MessageHeader")
    if header is None:
        return problem("incomplete_message", "MessageHeader がありません", "MessageHeader is missing")
    return header, child(root, "MessageBody")


def parse_answer(raw: bytes) -> Answer | FaceProblem:
    """A single or bulk-upload result (OQSsiimm01res, OQSmuimm01res) as an Answer."""
    parts = _header_and_body(raw)
    if isinstance(parts, FaceProblem):
        return parts
    header, body = parts
    return Answer(
        segment_of_result=text_of(header, "SegmentOfResult"),
        error_code=text_of(header, "ErrorCode"),
        processing_status=text_of(body, "ProcessingResultStatus"),
        processing_code=text_of(body, "ProcessingResultCode"),
        arbitrary_file_identifier=text_of(header, "ArbitraryFileIdentifier"),
        echoed=_echo(child(body, "ReferenceNumberRegistrationInfo") if body is not None else None),
        reception_number=text_of(header, "ReceptionNumber") or text_of(body, "ReceptionNumber"),
    )


def parse_bulk_result(raw: bytes) -> tuple[Answer, list[Answer]] | FaceProblem:
    """OQSmuimm02res: the overall answer (処理中 while not ready) and one Answer per BulkRegistrationUnit."""
    parts = _header_and_body(raw)
    if isinstance(parts, FaceProblem):
        return parts
    header, body = parts
    overall = Answer(
        segment_of_result=text_of(header, "SegmentOfResult"),
        error_code=text_of(header, "ErrorCode"),
        processing_status="1",
        processing_code=None,
        arbitrary_file_identifier=text_of(header, "ArbitraryFileIdentifier"),
        echoed=None,
        reception_number=text_of(header, "ReceptionNumber"),
    )
    units = []
    for unit in children(body, "BulkRegistrationUnit") if body is not None else []:
        units.append(
            Answer(
                segment_of_result="1",
                error_code=None,
                processing_status=text_of(unit, "ProcessingResultStatus"),
                processing_code=text_of(unit, "ProcessingResultCode"),
                arbitrary_file_identifier=None,
                echoed=_echo(child(unit, "ReferenceNumberRegistrationInfo")),
            )
        )
    return overall, units
