"""ORCA's insurances as it answers them: 保険組合せ (an insurance alone and again with each 公費), full-width
記号/番号."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from kiosk.core.normalize import branch_key, insurance_key
from kiosk.core.registry import Insurance


def orca_width(value: str | None) -> str:
    """ORCA keeps 記号/番号 in full width."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@dataclass(frozen=True)
class InsuranceCombination:
    """One ORCA 保険組合せ: its number, the insurance it uses (None for 公費単独) and its 公費負担者番号."""

    number: str
    insurance: Insurance | None
    public: tuple[str, ...]


def combinations(items: list[dict[str, Any]]) -> list[InsuranceCombination]:
    """patientgetv2's HealthInsurance_Information lists 保険組合せ (up to 30; JSON pads with {}), not insurances:
    one insurance appears alone and again with each 公費 (research recept-adapters.md §1.1, §5; ORCA API
    patientget.html). patientlst2v2/3v2 list the insurances themselves (no combination number)."""
    out = []
    for item in items:
        number = item.get("Insurance_Combination_Number") or ""  # patientlst2v2/3v2 list insurances, numberless
        if not (number or item.get("InsuranceProvider_Number") or item.get("PublicInsurance_Information")):
            continue  # a padding slot
        insurance = Insurance(
            item.get("InsuranceProvider_Number") or None,
            item.get("HealthInsuredPerson_Symbol") or None,
            item.get("HealthInsuredPerson_Number") or None,
            item.get("HealthInsuredPerson_Branch_Number") or None,
        ) if item.get("InsuranceProvider_Number") else None  # fmt: skip
        publics = item.get("PublicInsurance_Information") or []
        public = tuple(str(p["PublicInsurer_Number"]) for p in publics
                       if isinstance(p, dict) and p.get("PublicInsurer_Number"))  # fmt: skip
        out.append(InsuranceCombination(number, insurance, public))
    return out


def insurances_of(items: list[dict[str, Any]]) -> tuple[Insurance, ...]:
    """The patient's insurances, each once (a combination with 公費 repeats its insurance; 公費単独 has none)."""
    seen: dict[tuple[str | None, ...], Insurance] = {}
    for combination in combinations(items):
        insurance = combination.insurance
        if insurance is None:
            continue
        key = tuple(insurance_key(v) for v in (insurance.insurer_number, insurance.insured_card_symbol,
                                               insurance.insured_identification_number))  # fmt: skip
        key += (branch_key(insurance.insured_branch_number),)
        seen.setdefault(key, insurance)
    return tuple(seen.values())
