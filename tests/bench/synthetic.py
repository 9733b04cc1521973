"""Seeded synthetic registry and labelled face-identity queries (fake people only).

Households share surname, address, postcode and an insurance 3-tuple with 枝番 00, 01, …; twins
exist; the registry is "hand-entered" with the corruptions of research matching.md §4.2, and the
queries carry life events (insurer change, move, marriage, wrong 照会番号) plus new relatives
of existing patients who must never be linked.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import jaconv
import yaml

from kiosk.core.face import Identity


def _pools() -> dict[str, list[tuple[str, str]]]:
    """gimei's name lists (MIT): 500 surnames in rough frequency order, 2,537 male and 10,702 female
    given names, each with its reading — the base research matching.md §4.1 recommends."""
    data = yaml.safe_load(resources.files("gimei").joinpath("data/names.yml").read_text(encoding="utf-8"))
    return {
        "surnames": [(kanji, kata) for kanji, _hira, kata in data["last_name"]],
        "male": [(kanji, kata) for kanji, _hira, kata in data["first_name"]["male"]],
        "female": [(kanji, kata) for kanji, _hira, kata in data["first_name"]["female"]],
    }


_POOLS = _pools()
SURNAMES, MALE, FEMALE = _POOLS["surnames"], _POOLS["male"], _POOLS["female"]
OLD_FORMS = {"高": "髙", "崎": "﨑", "辺": "邊", "斎": "齋", "沢": "澤", "浜": "濱", "徳": "德", "島": "嶋", "吉": "𠮷"}
RESPELL = [
    ("ウ", "ー"),
    ("オウ", "オー"),
    ("ョ", "ヨ"),
    ("ュ", "ユ"),
    ("ャ", "ヤ"),
    ("ッ", "ツ"),
    ("ズ", "ヅ"),
    ("ジ", "ヂ"),
]
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Person:
    """The truth about one person (what OQS knows)."""

    key: int
    family: tuple[str, str]
    given: tuple[str, str]
    sex: str
    birthdate: date
    insurer: str
    symbol: str
    number: str
    branch: str
    postcode: str
    address: str


@dataclass(frozen=True)
class Query:
    identity: Identity
    truth: frozenset[str]  # registry patient ids of this person (empty for new people)
    has_reference: bool
    label: str


_WEIGHTS: dict[int, list[float]] = {}  # cumulative weights per pool


def _weighted(rng: random.Random, pool: list[tuple[str, str]]) -> tuple[str, str]:
    """Zipf-like over the pool's order (佐藤 ≈ 1.2% of people, as in Japan); given names nearly uniform."""
    weights = _WEIGHTS.get(id(pool))
    if weights is None:
        offset = 30 if pool is SURNAMES else 2000
        weights = _WEIGHTS[id(pool)] = list(itertools.accumulate(1 / (rank + offset) for rank in range(len(pool))))
    return rng.choices(pool, cum_weights=weights)[0]


def _birthdate(rng: random.Random, low: int = 0, high: int = 95) -> date:
    age = min(high, max(low, int(rng.triangular(low, high, 70))))
    return TODAY - timedelta(days=age * 365 + rng.randrange(365))


def _insurance(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.4:
        insurer = f"{rng.randrange(10**5, 10**6)}"  # 国保 6 digits
        symbol = ""
    else:
        insurer = f"{rng.choice(['01', '06', '31', '32', '39'])}{rng.randrange(10**5, 10**6)}"
        symbol = str(rng.randrange(1, 99999))
    return insurer, symbol, f"{rng.randrange(1, 10**7):07d}"


def people(seed: int, count: int) -> list[Person]:
    """`count` people in households (same seed → same people, whatever count follows)."""
    rng = random.Random(seed)
    result: list[Person] = []
    household = 0
    while len(result) < count:
        household += 1
        family = _weighted(rng, SURNAMES)
        size = rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 18, 15, 7])[0]
        insurer, symbol, number = _insurance(rng)
        postcode = f"{rng.randrange(10**6, 10**7):07d}"
        address = f"試験県試験市{rng.randrange(1, 50)}-{rng.randrange(1, 30)}"
        used: set[str] = set()
        twin_dob = _birthdate(rng, 0, 40) if size >= 4 and rng.random() < 0.03 else None
        for member in range(size):
            sex = "1" if rng.random() < 0.48 else "2"
            given = _weighted(rng, MALE if sex == "1" else FEMALE)
            while given[1] in used:
                given = (MALE if sex == "1" else FEMALE)[rng.randrange(len(MALE if sex == "1" else FEMALE))]
            used.add(given[1])
            birthdate = twin_dob if twin_dob and member >= size - 2 else _birthdate(rng, 0 if member >= 2 else 20)
            result.append(
                Person(
                    len(result),
                    family,
                    given,
                    sex,
                    birthdate,
                    insurer,
                    symbol,
                    number,
                    f"{member:02d}",
                    postcode,
                    address,
                )
            )
            if len(result) >= count:
                break
    return result


def _hand_entered_kana(rng: random.Random, person: Person) -> str:
    family, given = person.family[1], person.given[1]
    if rng.random() < 0.03:
        family = _respell(rng, family)
    if rng.random() < 0.06:
        given = _respell(rng, given)
    kana = f"{family} {given}" if rng.random() >= 0.30 else family + given
    roll = rng.random()
    if roll < 0.85:
        return str(jaconv.z2h(kana, kana=True, ascii=False, digit=False))
    if roll < 0.93:
        return str(jaconv.kata2hira(kana))
    return kana


def _respell(rng: random.Random, kana: str) -> str:
    options = [(a, b) for a, b in RESPELL if a in kana]
    if not options:
        return kana
    before, after = rng.choice(options)
    return kana.replace(before, after, 1)


def _old_kanji(rng: random.Random, family: str) -> str:
    if rng.random() < 0.08:
        return "".join(OLD_FORMS.get(ch, ch) for ch in family)
    return family


def _dob_typo(rng: random.Random, day: date) -> date:
    kind = rng.randrange(4)
    try:
        if kind == 0 and day.day <= 12:
            return day.replace(month=day.day, day=day.month)
        if kind == 1:
            return day + timedelta(days=rng.choice([1, -1, 10, -10]))
        if kind == 2:
            return day.replace(year=day.year + rng.choice([1, -1]))
    except ValueError:
        pass
    return day + timedelta(days=1)


def registry_rows(seed: int, persons: list[Person]) -> Iterator[tuple[str, dict[str, str]]]:
    """(person key as string, CSV row) as a clinic would have typed them; 1.5% get a duplicate chart."""
    rng = random.Random(seed + 1)
    for person in persons:
        copies = 2 if rng.random() < 0.015 else 1
        for copy in range(copies):
            patient_id = f"{person.key + 1:07d}" if copy == 0 else f"9{person.key + 1:07d}"
            dob = _dob_typo(rng, person.birthdate) if rng.random() < 0.01 else person.birthdate
            sex = ("2" if person.sex == "1" else "1") if rng.random() < 0.002 else person.sex
            yield (
                str(person.key),
                {
                    "patient_id": patient_id,
                    "name": f"{_old_kanji(rng, person.family[0])} {person.given[0]}",
                    "name_kana": _hand_entered_kana(rng, person),
                    "birthdate": dob.strftime("%Y%m%d") if rng.random() < 0.8 else dob.isoformat(),
                    "sex": sex,
                    "insurer_number": person.insurer,
                    "insured_card_symbol": person.symbol,
                    "insured_identification_number": person.number,
                    "insured_branch_number": person.branch if rng.random() < 0.5 else "",
                    "postcode": f"{person.postcode[:3]}-{person.postcode[3:]}",
                    "address": person.address,
                    "reference_number": "",
                },
            )


def write_registry(path: Path, seed: int, persons: list[Person]) -> dict[int, set[str]]:
    """Write the CSV; returns person key → registry patient ids (the truth)."""
    charts: dict[int, set[str]] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = None
        for key, row in registry_rows(seed, persons):
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            charts.setdefault(int(key), set()).add(row["patient_id"])
    return charts


def _oqs_kana(rng: random.Random, family: str, given: str) -> str:
    kana = f"{family} {given}"
    if rng.random() < 0.5:  # small kana written full-size by the insurer
        kana = kana.translate(str.maketrans("ァィゥェォャュョッ", "アイウエオヤユヨツ"))
    return str(jaconv.z2h(kana, kana=True, ascii=False, digit=False))


def _identity(rng: random.Random, person: Person, *, reference: str | None = None) -> Identity:
    padded = person.insurer.rjust(8) if len(person.insurer) == 6 else person.insurer
    return Identity(
        name=f"{person.family[0]}　{person.given[0]}",
        name_kana=_oqs_kana(rng, person.family[1], person.given[1]),
        birthdate=person.birthdate.strftime("%Y%m%d"),
        sex=person.sex,
        insurer_number=padded,
        insured_card_symbol=person.symbol or None,
        insured_identification_number=person.number,
        insured_branch_number=person.branch,
        postcode=f"{person.postcode[:3]}-{person.postcode[3:]}",
        address=person.address,
        reference_number=reference,
    )


def queries(seed: int, persons: list[Person], charts: dict[int, set[str]], returning: int, new: int) -> list[Query]:
    """Returning patients with life events, and new relatives of registered patients."""
    rng = random.Random(seed + 2)
    result: list[Query] = []
    for person in rng.sample(persons, returning):
        label = "returning"
        changed = person
        roll = rng.random()
        if roll < 0.15:
            insurer, symbol, number = _insurance(rng)
            changed = replace(changed, insurer=insurer, symbol=symbol, number=number, branch="00")
            label = "insurer_change"
        elif roll < 0.20:
            changed = replace(changed, postcode=f"{rng.randrange(10**6, 10**7):07d}", address="試験県他市1-1")
            label = "moved"
        if person.sex == "2" and rng.random() < 0.05:
            family = _weighted(rng, SURNAMES)
            insurer, symbol, number = _insurance(rng)
            changed = replace(changed, family=family, insurer=insurer, symbol=symbol, number=number, branch="01",
                              postcode=f"{rng.randrange(10**6, 10**7):07d}")  # fmt: skip
            label = "married"
        reference = None
        has_reference = rng.random() < 0.30
        if has_reference:
            reference = min(charts[person.key])
            if rng.random() < 0.01:
                reference = f"{rng.randrange(1, len(persons)) + 1:07d}"  # a wrong 照会番号
                label = "wrong_reference"
        result.append(Query(_identity(rng, changed, reference=reference), frozenset(charts[person.key]),
                            has_reference, label))  # fmt: skip
    for _ in range(new):
        relative = persons[rng.randrange(len(persons))]
        sex = "1" if rng.random() < 0.5 else "2"
        pool = MALE if sex == "1" else FEMALE
        given = pool[rng.randrange(len(pool))]
        while given[1] == relative.given[1]:
            given = pool[rng.randrange(len(pool))]
        twin = rng.random() < 0.3
        newcomer = replace(
            relative, key=-1, given=given, sex=sex,
            birthdate=relative.birthdate if twin else _birthdate(rng, 0, 90),
            branch=f"{rng.randrange(10, 99):02d}",
        )  # fmt: skip
        result.append(Query(_identity(rng, newcomer), frozenset(), False, "new_twin" if twin else "new_relative"))
    return result
