"""The 再来受付機 bridge: card read on the device → 患者番号 → reception in the registry → 受付番号 (or
"窓口へ") back to the device. A repeated request (the device lost our ACK and asked again) is answered with
the same reception. The idempotency key is the device's sequence number *and* the patient: devices reuse
sequence numbers (after a power cycle), and a reused number with another card is another patient's request,
never an answer meant for someone else. A patient already received today (kiosk, counter) keeps that reception."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from drivers.serial.link import Link, LinkError
from drivers.serial.protocol import (
    MADO_APPOINTMENT_TIME,
    MADO_BAD_CARD,
    MADO_REGISTRY,
    MADO_SEVERAL,
    MADO_UNKNOWN_CARD,
    Message,
    ProtocolError,
    card_number,
    decode,
)
from kiosk.core.check_in import CheckInWindow, PlanKind
from kiosk.core.clock import Clock
from kiosk.core.registry import ReceptionRegistry, RegistryError
from kiosk.logsetup import get_logger
from kiosk.services.kiosk_desk import patient_for_card_number
from kiosk.services.reception import Received, receive_unattended

log = get_logger("uketsuke.serial_bridge")


@dataclass(frozen=True)
class BridgeConfig:
    device_id: str = "saiurai-1"
    card_pattern: str = r"(\d+)"  # the clinic's rule: which part of the raw card data is the 診察券番号
    strip_leading_zeros: bool = False
    department: str | None = None
    window: CheckInWindow = field(default_factory=CheckInWindow)  # 予約: how early / late it checks one in


class SerialBridge:
    def __init__(self, link: Link, registry: ReceptionRegistry, config: BridgeConfig, clock: Clock) -> None:
        self.link = link
        self.registry = registry
        self.config = config
        self.clock = clock
        self.pattern = re.compile(config.card_pattern)
        self._printed = 0

    def card_number(self, raw: str) -> str | None:
        return card_number(raw, self.pattern, strip_leading_zeros=self.config.strip_leading_zeros)

    def patient_for(self, number: str) -> str | None:
        return patient_for_card_number(self.registry, number)

    def print_slip(self, number: int, department: str | None, when: datetime) -> bool:
        """Ask the device to print a 受付票 for a reception made elsewhere (e.g. through マイナ)."""
        self._printed += 1
        message = Message("PRINT", f"H{self._printed:04d}", (str(number), department or "", f"{when:%H:%M}"))
        try:
            self.link.send(message.encode())
        except LinkError as exc:
            log.warning("serial_print_not_acknowledged", code=exc.code)
            return False
        return True

    def handle_one(self, timeout: float = 1.0) -> Message | None:
        """Serve one device request; returns the answer sent (None when nothing arrived)."""
        text = self.link.receive(timeout)
        if text is None:
            return None
        try:
            request = decode(text)
        except ProtocolError:
            log.warning("serial_bad_message")
            return None
        if request.kind != "CARD":
            log.info("serial_device_message", kind=request.kind, seq=request.seq)
            return None
        answer = self._answer(request)
        try:
            self.link.send(answer.encode())
        except LinkError as exc:
            log.warning("serial_answer_not_acknowledged", seq=request.seq, code=exc.code)
        return answer

    def _answer(self, request: Message) -> Message:
        number = self.card_number(request.fields[0]) if request.fields else None
        if number is None:
            return Message("MADO", request.seq, (MADO_BAD_CARD,))
        patient_id = self.patient_for(number)
        if patient_id is None:
            return Message("MADO", request.seq, (MADO_UNKNOWN_CARD,))
        now = self.clock.now()
        key = f"serial:{self.config.device_id}:{now:%Y%m%d}:{request.seq}:{patient_id}"
        try:
            received = receive_unattended(self.registry, patient_id, now, self.config.department, key, None,
                                          self.config.window)  # fmt: skip
        except RegistryError as exc:
            log.warning("serial_reception_failed", seq=request.seq, code=exc.code)
            return Message("MADO", request.seq, (MADO_REGISTRY,))
        if not isinstance(received, Received):  # the device has no screen to choose on, nor a clerk
            log.info("serial_appointment_for_staff", seq=request.seq, reason=received.kind.value)
            return Message("MADO", request.seq, (MADO_SEVERAL if received.kind is PlanKind.CHOOSE
                                                 else MADO_APPOINTMENT_TIME,))  # fmt: skip
        reception, already = received.reception, received.already
        if reception.patient_id != patient_id:  # never another patient's number, whatever the registry answered
            log.error("serial_reception_other_patient", seq=request.seq)
            return Message("MADO", request.seq, (MADO_REGISTRY,))
        record = self.registry.get_patient(patient_id)
        kana = (record.names[0].name_kana or "") if record and record.names else ""
        log.info("serial_reception", seq=request.seq, already=already, number=reception.number)
        booked_at = received.appointment.at.strftime("%H:%M") if received.appointment else ""
        return Message("RECV", request.seq, (str(reception.number), kana, reception.department or "", booked_at))
