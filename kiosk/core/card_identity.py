"""Finding the patient from a マイナンバーカード's 券面事項 (basic 4: name, address, birthdate, sex).

The card has no kana, so the matcher's guard rules (full kana) can never pass on it. The kiosk instead
accepts exactly one registry patient whose kanji name is spelled identically (no variant folding: 髙/高 is
doubt), with the same birthdate, the same sex and the same house (the address compared at the house level:
`1丁目2番3号` = `1-2-3`, a building or room on one side only is fine, another room is not). Anything less goes
to the counter.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.core.address import AddressLevel, compare_addresses, parse_address
from kiosk.core.birthdates import parse_birthdate
from kiosk.core.face import Identity
from kiosk.core.normalize import kanji_key, kanji_plain
from kiosk.core.registry import CandidateQuery, PatientRecord


def _same_house(card: str | None, registry: str | None) -> bool:
    left, right = parse_address(card), parse_address(registry)
    return left is not None and right is not None and compare_addresses(left, right, None, None) is AddressLevel.HOUSE


def card_query(identity: Identity) -> CandidateQuery | None:
    born = parse_birthdate(identity.birthdate or "")
    if born is None or not identity.name:
        return None
    return CandidateQuery(birthdate=born, kanji_key=kanji_key(identity.name))


def card_patient(identity: Identity, candidates: Iterable[PatientRecord]) -> str | None:
    """The one patient the card certainly belongs to, or None."""
    born = parse_birthdate(identity.birthdate or "")
    name = kanji_plain(identity.name or "")
    if born is None or not name or not identity.address or identity.sex not in ("1", "2"):
        return None
    found = {
        record.patient_id
        for record in candidates
        if record.birthdate == born
        and record.sex == identity.sex
        and _same_house(identity.address, record.address)
        and any(n.name and kanji_plain(n.name) == name for n in record.names[:1])
    }
    return found.pop() if len(found) == 1 else None
