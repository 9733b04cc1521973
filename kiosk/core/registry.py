"""The reception-registry port: what the core needs from a レセコン or the embedded registry.

Back-ends (embedded SQL, ORCA API, file exchange) live in adapters/registry and must all pass the
same contract tests. 患者番号 is always a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.normalize import NameKeys

if TYPE_CHECKING:
    from kiosk.core.patient_search import SearchQuery


@dataclass(frozen=True)
class PatientName:
    """Original spellings; `keys` may carry precomputed comparison keys (else the matcher computes them)."""

    name: str | None
    name_kana: str | None
    keys: NameKeys | None = None


@dataclass(frozen=True)
class Insurance:
    insurer_number: str | None
    insured_card_symbol: str | None
    insured_identification_number: str | None
    insured_branch_number: str | None


@dataclass(frozen=True)
class PatientRecord:
    """A patient as the registry holds it; `names` and `insurances` list the current one first, then history."""

    patient_id: str
    names: tuple[PatientName, ...]
    birthdate: date | None
    sex: str | None
    insurances: tuple[Insurance, ...] = ()
    postcode: str | None = None
    address: str | None = None
    reference_number: str | None = None
    notices: tuple[str, ...] = ()  # what the registry said when it stored the record (e.g. ORCA's K0–K5 warnings)


@dataclass(frozen=True)
class CandidateQuery:
    """Indexed lookups, each optional (research matching.md §3.1 B0–B4), narrowed to people who can score:

    B0 患者番号 = 照会番号 · B1 insurer + number (any insurance, history too) · B2 same birthdate and some
    relation of the name (same 姓 or 名, registry kana starting with the 姓 or ending with the 名, same
    seion key, same folded kanji; any name when the query has no 姓/名 split) · B3 same loose kana and
    same postcode · B4 same 名 and a birthdate typing slip.
    """

    patient_id: str | None = None
    insurer_key: str | None = None
    number_key: str | None = None
    birthdate: date | None = None
    kana_loose: str | None = None
    family_loose: str | None = None
    given_loose: str | None = None
    kana_seion: str | None = None
    kanji_key: str | None = None
    postcode_key: str | None = None
    birthdate_variants: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Candidate:
    record: PatientRecord
    fired: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Reception:
    reception_id: str
    patient_id: str
    day: date
    department: str | None
    number: int
    state: str  # registered | cancelled
    appointment_id: str | None = None  # the 予約 it was checked in against
    physician_code: str | None = None


@dataclass(frozen=True)
class ReceptionResult:
    """registered, or duplicate when the same request (idempotency key) was already registered."""

    status: str
    reception: Reception


@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True)
class NewPatient:
    name: str | None
    name_kana: str | None
    birthdate: date | None
    sex: str | None
    insurance: Insurance | None = None
    postcode: str | None = None
    address: str | None = None


class RegistryError(Exception):
    def __init__(self, code: str, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.code, self.ja, self.en = code, ja, en


def appointment_arrived() -> RegistryError:
    """Every back-end's answer to changing an arrived 予約: it came with a reception, which is what is cancelled."""
    return RegistryError("appointment_arrived",
                         "来院済みの予約は変更できません（受付の取消はレセコンで行ってください）",
                         "an arrival comes with its reception; cancel the reception instead")


class PatientDirectory(Protocol):
    def find_candidates(self, query: CandidateQuery, limit: int = 300) -> list[Candidate]: ...

    def get_patient(self, patient_id: str) -> PatientRecord | None: ...

    def search_patients(self, query: SearchQuery, limit: int = 200) -> list[PatientRecord]:
        """Staff search: people who may answer `query` (the core ranks and filters them, see patient_search);
        history names and every insurance count."""
        ...


class ReceptionRegistry(PatientDirectory, Protocol):
    def list_receptions(self, day: date) -> list[Reception]: ...

    def receptions_of(self, patient_id: str, day: date) -> list[Reception]:
        """One patient's receptions that day, in number order (every check-in asks: it must not cost the day's
        whole list where the back-end can help it)."""
        ...

    def register_reception(
        self,
        patient_id: str,
        day: date,
        department: str | None,
        idempotency_key: str,
        insurance: Insurance | None = None,
        appointment: Appointment | None = None,
    ) -> ReceptionResult:
        """`insurance` (from the face result) selects the insurance to use where the back-end can; a
        back-end that cannot find it must refuse rather than reuse an old combination silently.
        With `appointment` (予約受付) the reception takes its 診療科 and physician, carries its id, and the
        appointment is marked arrived with it — or nothing happens (RegistryError) when it is no longer booked."""
        ...

    def appointments_on(self, day: date) -> list[Appointment]: ...

    def appointments_of(self, patient_id: str, day: date) -> list[Appointment]: ...

    def set_appointment_state(self, appointment_id: str, state: AppointmentState) -> None:
        """Staff: cancelled or no-show, or back to booked. A back-end that cannot keep a state refuses it
        (RegistryError) rather than pretend."""
        ...

    def cancel_reception(self, reception_id: str) -> None: ...

    def departments(self) -> list[Department]: ...

    @property
    def can_create_patients(self) -> bool: ...

    def create_patient(self, patient: NewPatient) -> PatientRecord: ...
