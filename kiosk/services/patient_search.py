"""Staff search over the configured registry back-end, ranked by the core and audited with who searched.

The audit record names the kinds of input (kana, kanji, birthdate, number) and the 患者番号 shown — never the
text typed, which is itself personal data — so "who looked at whom" can be answered without copying names.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.errors import UketsukeError
from kiosk.core.patient_search import SEARCH_LIMIT, parse_search, rank
from kiosk.core.registry import PatientDirectory, PatientRecord, RegistryError
from kiosk.services.audit import AuditEvent, record


def search_registry(
    sessions: sessionmaker[Session], directory: PatientDirectory, text: str, *, actor: str, now: datetime,
    limit: int = SEARCH_LIMIT,
) -> list[PatientRecord]:  # fmt: skip
    """At most `limit` patients, best first; an empty or unreadable query is a clear error, not "nobody"."""
    query = parse_search(text)
    if query.empty:
        raise UketsukeError("search_empty", "カナ・氏名・生年月日・患者番号・保険の番号のどれかを入力してください",
                            "type kana, a name, a birthdate, a patient number or an insurance number")  # fmt: skip
    try:
        found = rank(query, directory.search_patients(query), limit)
    except RegistryError as exc:
        raise UketsukeError(exc.code, exc.ja, exc.en) from None
    record(sessions, AuditEvent(actor, "registry_search", subject=",".join(query.kinds),
                                after={"shown": [r.patient_id for r in found]}), now)  # fmt: skip
    return found
