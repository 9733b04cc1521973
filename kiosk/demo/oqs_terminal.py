"""A simulated オンライン資格確認 terminal on plain folders (for tests and the demo).

It behaves like the real one as far as the research tells: it consumes requests from req, writes
results into res non-atomically (in two writes), keeps 照会番号 per insurance qualification, and
writes face-auth files that carry ReferenceNumber once registered. It deliberately shares no code
with Uketsuke's client (stdlib ElementTree only), so a bug in one cannot hide a bug in the other.
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MIC = "9919999999"


@dataclass
class Person:
    name: str
    kana: str
    birthdate: str
    sex: str
    insurer: str
    symbol: str | None
    number: str
    branch: str | None
    classification: str = "01"


@dataclass
class Behaviour:
    """How the terminal answers the next requests."""

    mode: str = "success"  # success | error | silent | duplicate
    error_code: str = "SYNTH0301"
    delay: float = 0.0
    processing_polls: int = 1  # bulk: answers 処理中 this many times before the result
    zip_results: bool = False
    encoding: str = "utf-8"  # utf-8 | shift_jis
    validity: str = "1"  # QualificationValidity of face results (OQSCD006: 1 有効, 2 無効, 3 新しい資格あり …)


@dataclass
class Terminal:
    root: Path
    behaviour: Behaviour = field(default_factory=Behaviour)
    references: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    requests_seen: list[str] = field(default_factory=list)
    _bulk: dict[str, list[ET.Element]] = field(default_factory=dict)
    _polls: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _face_counter: int = 0

    def __post_init__(self) -> None:
        for sub in ("req", "res", "face"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @property
    def req(self) -> Path:
        return self.root / "req"

    @property
    def res(self) -> Path:
        return self.root / "res"

    @property
    def face(self) -> Path:
        return self.root / "face"

    # -- the card reader ----------------------------------------------------------------------
    def card_reader_use(self, person: Person, when: datetime | None = None) -> Path:
        """Write a face-auth result for this person, with ReferenceNumber if one is registered."""
        when = when or datetime.now()
        self._face_counter += 1
        name = f"OQSsiquc01res_face_{MIC}{self._face_counter:020x}_{when:%Y%m%d%H%M%S}.xml"
        msg = ET.Element("XmlMsg")
        header = ET.SubElement(msg, "MessageHeader")
        code = "1" if self.behaviour.encoding == "shift_jis" else "0"
        header_fields = [
            ("ProcessExecutionTime", f"{when:%Y%m%d%H%M%S}"), ("QualificationConfirmationDate", f"{when:%Y%m%d}"),
            ("MedicalInstitutionCode", MIC), ("ReferenceClassification", "1"), ("SegmentOfResult", "1"),
            ("CharacterCodeIdentifier", code),
        ]  # fmt: skip
        for tag, value in header_fields:
            ET.SubElement(header, tag).text = value
        body = ET.SubElement(msg, "MessageBody")
        ET.SubElement(body, "ProcessingResultStatus").text = "1"
        ET.SubElement(body, "QualificationValidity").text = self.behaviour.validity
        result = ET.SubElement(ET.SubElement(body, "ResultList"), "ResultOfQualificationConfirmation")
        fields: list[tuple[str, str | None]] = [
                  ("InsuredCardClassification", person.classification), ("InsurerNumber", person.insurer.rjust(8)),
                  ("InsuredCardSymbol", person.symbol), ("InsuredIdentificationNumber", person.number),
                  ("InsuredBranchNumber", person.branch), ("Name", person.name), ("NameKana", person.kana),
                  ("Sex1", person.sex), ("Birthdate", person.birthdate), ("InsurerName", "試験保険者")]  # fmt: skip
        reference = self.references.get(_key(person.insurer, person.symbol, person.number, person.branch))
        if reference is not None:
            fields.append(("ReferenceNumber", reference))
        for field_tag, field_value in fields:
            if field_value is not None:
                ET.SubElement(result, field_tag).text = field_value
        self._write(self.face / name, msg)
        return self.face / name

    def register_reference(self, person: Person, reference: str) -> None:
        """A 照会番号 registered for this person's qualification earlier (e.g. at a previous visit)."""
        self.references[_key(person.insurer, person.symbol, person.number, person.branch)] = reference

    # -- the req/res exchange -----------------------------------------------------------------
    def start(self) -> Terminal:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.step()
            time.sleep(0.05)

    def step(self) -> None:
        for path in sorted(self.req.glob("OQS*req_*.xml")):
            try:
                message = _read_request(path.read_bytes())
            except (ET.ParseError, UnicodeDecodeError):
                continue
            path.unlink()  # the terminal consumes its requests
            self.requests_seen.append(path.name)
            if self.behaviour.delay:
                time.sleep(self.behaviour.delay)
            answer_name = path.name.replace("req_", "res_", 1)
            if path.name.startswith("OQSsiimm01req_"):
                self._single(answer_name, message)
            elif path.name.startswith("OQSmuimm01req_"):
                self._bulk_upload(answer_name, message)
            elif path.name.startswith("OQSmuimm02req_"):
                self._bulk_download(answer_name, message)

    def _single(self, answer_name: str, message: ET.Element) -> None:
        mode = self.behaviour.mode
        if mode == "silent":
            return
        info = message.find("MessageBody/ReferenceNumberRegistrationInfo")
        afi = message.findtext("MessageHeader/ArbitraryFileIdentifier")
        ok = mode in ("success", "duplicate") and info is not None
        if ok and info is not None:
            self._register(info)
        answer = self._answer_message(afi, ok, [info] if info is not None else [])
        self._write(self.res / answer_name, answer)
        if mode == "duplicate":
            time.sleep(0.05)
            answer.find("MessageHeader/ProcessExecutionTime").text = "20991231000000"  # type: ignore[union-attr]
            self._write(self.res / answer_name, answer)

    def _bulk_upload(self, answer_name: str, message: ET.Element) -> None:
        reception = f"R{len(self._bulk) + 1:09d}"
        self._bulk[reception] = list(message.findall("MessageBody/ReferenceNumberRegistrationInfo"))
        answer = self._answer_message(message.findtext("MessageHeader/ArbitraryFileIdentifier"), True, [])
        ET.SubElement(answer.find("MessageHeader"), "ReceptionNumber").text = reception  # type: ignore[arg-type]
        self._write(self.res / answer_name, answer)

    def _bulk_download(self, answer_name: str, message: ET.Element) -> None:
        reception = message.findtext("MessageBody/ReceptionNumber") or ""
        polls = self._polls.get(reception, 0)
        self._polls[reception] = polls + 1
        msg = ET.Element("XmlMsg")
        header = ET.SubElement(msg, "MessageHeader")
        ET.SubElement(header, "ReceptionNumber").text = reception
        body = ET.SubElement(msg, "MessageBody")
        if reception not in self._bulk:
            ET.SubElement(header, "SegmentOfResult").text = "9"
            ET.SubElement(header, "ErrorCode").text = "SYNTH0404"
        elif polls < self.behaviour.processing_polls:
            ET.SubElement(header, "SegmentOfResult").text = "2"  # 処理中
        else:
            ET.SubElement(header, "SegmentOfResult").text = "1"
            for info in self._bulk[reception]:
                unit = ET.SubElement(body, "BulkRegistrationUnit")
                unit.append(info)
                refused = (info.findtext("InsuredIdentificationNumber") or "").endswith("9")
                ET.SubElement(unit, "ProcessingResultStatus").text = "2" if refused else "1"
                if refused:
                    ET.SubElement(unit, "ProcessingResultCode").text = self.behaviour.error_code
                else:
                    self._register(info)
        target = self.res / answer_name
        if self.behaviour.zip_results and reception in self._bulk and polls >= self.behaviour.processing_polls:
            inner = ET.tostring(msg, encoding="utf-8", xml_declaration=True)
            with zipfile.ZipFile(target.with_suffix(".zip"), "w") as archive:
                archive.writestr(answer_name, inner)
            return
        self._write(target, msg)

    def _answer_message(self, afi: str | None, ok: bool, echoes: list[ET.Element]) -> ET.Element:
        msg = ET.Element("XmlMsg")
        header = ET.SubElement(msg, "MessageHeader")
        ET.SubElement(header, "ProcessExecutionTime").text = datetime.now().strftime("%Y%m%d%H%M%S")
        ET.SubElement(header, "CharacterCodeIdentifier").text = "0"
        ET.SubElement(header, "SegmentOfResult").text = "1"
        if afi:
            ET.SubElement(header, "ArbitraryFileIdentifier").text = afi
        ET.SubElement(header, "MedicalInstitutionCode").text = MIC
        body = ET.SubElement(msg, "MessageBody")
        for echo in echoes:
            body.append(echo)
        ET.SubElement(body, "ProcessingResultStatus").text = "1" if ok else "2"
        if not ok:
            ET.SubElement(body, "ProcessingResultCode").text = self.behaviour.error_code
            ET.SubElement(body, "ProcessingResultMessage").text = "試験用のエラー"
        return msg

    def _register(self, info: ET.Element) -> None:
        key = _key(
            info.findtext("InsurerNumber") or "",
            info.findtext("InsuredCardSymbol"),
            info.findtext("InsuredIdentificationNumber") or "",
            info.findtext("InsuredBranchNumber"),
        )
        self.references[key] = info.findtext("ReferenceNumber") or ""

    def _write(self, path: Path, message: ET.Element) -> None:
        """Non-atomic, like the real terminal: half the bytes, a pause, the rest."""
        codec, label = ("cp932", "Shift_JIS") if self.behaviour.encoding == "shift_jis" else ("utf-8", "UTF-8")
        data = f'<?xml version="1.0" encoding="{label}" standalone="no"?>\n'.encode() + ET.tostring(
            message, encoding="unicode"
        ).encode(codec)
        with path.open("wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            time.sleep(0.01)
            handle.write(data[len(data) // 2 :])


def _read_request(raw: bytes) -> ET.Element:
    """expat refuses multi-byte declarations, so decode first (the terminal accepts both encodings)."""
    head = raw[:100].decode("ascii", "replace").lower()
    text = raw.decode("cp932" if "shift_jis" in head else "utf-8-sig")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]
    return ET.fromstring(text)


def _key(insurer: str, symbol: str | None, number: str, branch: str | None) -> tuple[str, str, str, str]:
    return (insurer.strip(), (symbol or "").strip(), number.strip(), (branch or "").strip())


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
