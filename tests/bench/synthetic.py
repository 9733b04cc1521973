"""Seeded synthetic registry and labelled face-identity queries (fake people only).

Households share surname, address and an insurance 3-tuple with 枝番 00, 01, …; twins exist. Addresses
are real-looking (gimei's prefectures, cities and towns): a postcode is an *area* of about a hundred
households, houses have 丁目-番-号 (or 番地-号) and some a building and room. The registry is "hand-entered":
the kana corruptions of research matching.md §4.2, and addresses and postcodes written the ways clerks write
them (with or without prefecture and city, hyphens or 丁目番号, kanji numerals, full-width digits, 〒, a
postcode inside the address, ヶ/ケ/が, a building or not, the odd typo). Face results carry the insurer's
form, which is sometimes stale or missing.

The hard cases are built in on purpose:
- **namesakes next door**: people with the same kana, kanji, birthdate and sex as a registered patient, living
  in the same postcode area (often the same 丁目), with another insurance. Registered ones appear at
  `namesake_rate` per household; unregistered ones are a query group of their own (never to be linked);
- returning patients whose insurance changed but who live in the same house (to be linked by the address);
- new relatives of registered patients, a third of them twins (never to be linked).

The same seed gives the same first N people whatever the total, so a 1k registry is a prefix of a 1M one.
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


def _gimei() -> dict[str, list[tuple[str, str]]]:
    """gimei's name and address lists (MIT): 500 surnames in rough frequency order, 2,537 male and 10,702
    female given names with readings (the base research matching.md §4.1 recommends), 47 prefectures, 1,895
    cities and 1,134 towns."""
    names = yaml.safe_load(resources.files("gimei").joinpath("data/names.yml").read_text(encoding="utf-8"))
    places = yaml.safe_load(resources.files("gimei").joinpath("data/addresses.yml").read_text(encoding="utf-8"))
    places = places["addresses"]
    return {
        "surnames": [(kanji, kata) for kanji, _hira, kata in names["last_name"]],
        "male": [(kanji, kata) for kanji, _hira, kata in names["first_name"]["male"]],
        "female": [(kanji, kata) for kanji, _hira, kata in names["first_name"]["female"]],
        "prefectures": [(kanji, kata) for kanji, _hira, kata in places["prefecture"]],
        "cities": [(kanji, kata) for kanji, _hira, kata in places["city"]],
        "towns": [(kanji, kata) for kanji, _hira, kata in places["town"]],
    }


_POOLS = _gimei()
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
BUILDINGS = ["メゾン青葉", "コーポ試験", "試験ハイツ", "グランデ試験", "サンハイム", "レジデンス試験"]
TODAY = date(2026, 11, 22)
AREAS = 3000  # fixed, so that the first N people are the same at any registry size
_KANJI_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Area:
    """One postcode: a 町 (丁目 system or 番地 system) in a city."""

    postcode: str
    prefecture: str
    city: str
    town: str
    chome_system: bool


@dataclass(frozen=True)
class Home:
    area: Area
    chome: int | None
    ban: int
    go: int
    building: str | None
    room: int | None


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
    home: Home
    namesake_of: int | None = None  # key of the registered person this one is a namesake of

    @property
    def postcode(self) -> str:
        return self.home.area.postcode


@dataclass(frozen=True)
class Query:
    identity: Identity
    truth: frozenset[str]  # registry patient ids of this person (empty for new people)
    has_reference: bool
    label: str
    insurance_changed: bool = False
    same_house: bool = True


def _areas(seed: int) -> list[Area]:
    rng = random.Random(seed * 7 + 3)
    towns = [t for t, _kana in _POOLS["towns"] if not t.endswith(tuple(_KANJI_DIGITS[1:] + "十"))]
    cities = [c for c, _kana in _POOLS["cities"]]
    prefectures = [p for p, _kana in _POOLS["prefectures"]]
    result, used = [], set()
    while len(result) < AREAS:
        postcode = f"{rng.randrange(10**6, 10**7):07d}"
        if postcode in used:
            continue
        used.add(postcode)
        result.append(Area(postcode, rng.choice(prefectures), rng.choice(cities), rng.choice(towns),
                           rng.random() < 0.7))  # fmt: skip
    return result


_AREA_CACHE: dict[int, list[Area]] = {}
_WEIGHTS: dict[int, list[float]] = {}  # cumulative weights per pool


def areas(seed: int) -> list[Area]:
    if seed not in _AREA_CACHE:
        _AREA_CACHE[seed] = _areas(seed)
    return _AREA_CACHE[seed]


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


def _home(rng: random.Random, area: Area, *, chome: int | None = None, avoid: Home | None = None) -> Home:
    while True:
        if area.chome_system:
            home = Home(area, chome or rng.randrange(1, 7), rng.randrange(1, 31), rng.randrange(1, 26), None, None)
        else:
            home = Home(area, None, rng.randrange(1, 3000), rng.randrange(1, 20), None, None)
        if rng.random() < 0.15:
            home = replace(home, building=rng.choice(BUILDINGS), room=rng.choice([101, 102, 201, 203, 305, 803]))
        if avoid is None or (home.chome, home.ban, home.go) != (avoid.chome, avoid.ban, avoid.go):
            return home


def _area(rng: random.Random, seed: int) -> Area:
    """A fifth of households live in the 50 areas around the clinic (namesakes meet there), the rest anywhere."""
    pool = areas(seed)
    return pool[rng.randrange(50) if rng.random() < 0.2 else rng.randrange(len(pool))]


def people(seed: int, count: int, *, namesake_rate: float = 0.0005) -> list[Person]:
    """`count` people in households (same seed → same people, whatever count follows). After a household,
    with probability `namesake_rate`, comes another household in the same postcode area with a namesake of
    one of its members (same kana, kanji, birthdate and sex; another house and insurance)."""
    rng = random.Random(seed)
    result: list[Person] = []
    while len(result) < count:
        family = _weighted(rng, SURNAMES)
        size = rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 18, 15, 7])[0]
        insurer, symbol, number = _insurance(rng)
        home = _home(rng, _area(rng, seed))
        used: set[str] = set()
        twin_dob = _birthdate(rng, 0, 40) if size >= 4 and rng.random() < 0.03 else None
        household: list[Person] = []
        for member in range(size):
            sex = "1" if rng.random() < 0.48 else "2"
            given = _weighted(rng, MALE if sex == "1" else FEMALE)
            while given[1] in used:
                given = (MALE if sex == "1" else FEMALE)[rng.randrange(len(MALE if sex == "1" else FEMALE))]
            used.add(given[1])
            birthdate = twin_dob if twin_dob and member >= size - 2 else _birthdate(rng, 0 if member >= 2 else 20)
            household.append(Person(len(result) + member, family, given, sex, birthdate, insurer, symbol, number,
                                    f"{member:02d}", home))  # fmt: skip
        result.extend(household)
        if rng.random() < namesake_rate and len(result) < count:
            original = rng.choice(household)
            result.append(_namesake(rng, original, len(result)))
    return result[:count]


def _namesake(rng: random.Random, original: Person, key: int) -> Person:
    """Another person with the same name, birthdate and sex in the same postcode area (half the time the
    same 丁目), another house and another insurance."""
    insurer, symbol, number = _insurance(rng)
    same_block = rng.random() < 0.5
    home = _home(rng, original.home.area, chome=original.home.chome if same_block else None, avoid=original.home)
    return replace(original, key=key, insurer=insurer, symbol=symbol, number=number, branch="00", home=home,
                   namesake_of=original.key)  # fmt: skip


# -- the registry as clerks typed it ---------------------------------------------------------------
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


def kanji_number(n: int) -> str:
    text = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        count, n = divmod(n, value)
        if count:
            text += ("" if count == 1 else _KANJI_DIGITS[count]) + unit
    return text + (_KANJI_DIGITS[n] if n else "")


def _wide(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and (c.isdigit() or c == "-") else c for c in text)


def _town_variant(rng: random.Random, town: str) -> str:
    for a, b in (("ヶ", "ケ"), ("ケ", "ヶ"), ("が", "ヶ"), ("ノ", "の"), ("の", "ノ")):
        if a in town and rng.random() < 0.5:
            return town.replace(a, b)
    return town


def _city_as_typed(rng: random.Random, city: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""  # town only (the clinic's own city is obvious to the clerk)
    if roll < 0.25 and "市" in city[:-1]:
        return city[city.index("市") + 1 :]  # 川崎市高津区 → 高津区
    return city


def registry_address(rng: random.Random, home: Home) -> tuple[str, str]:
    """(postcode column, address column) as a clerk typed them."""
    area = home.area
    prefecture = area.prefecture if rng.random() < 0.6 else ""
    city = _city_as_typed(rng, area.city)
    town = _town_variant(rng, area.town)
    go = home.go if rng.random() >= 0.02 else home.go + 1  # a typing slip in the 号
    style = rng.random()
    if home.chome is not None:
        if style < 0.35:
            street = f"{home.chome}丁目{home.ban}-{go}"
        elif style < 0.60:
            street = f"{home.chome}-{home.ban}-{go}"
        elif style < 0.75:
            street = f"{home.chome}丁目{home.ban}番{go}号"
        elif style < 0.85:
            street = f"{kanji_number(home.chome)}丁目{kanji_number(home.ban)}番{kanji_number(go)}号"
        elif style < 0.95:
            street = _wide(f"{home.chome}丁目{home.ban}番{go}号")
        else:
            street = f"{home.chome}ー{home.ban}ー{go}"
    else:
        street = (f"{home.ban}番地{go}" if style < 0.4 else f"{home.ban}-{go}" if style < 0.8
                  else f"{kanji_number(home.ban)}番地{kanji_number(go)}")  # fmt: skip
        if rng.random() < 0.3:
            town = f"大字{town}"
    building = ""
    if home.building and rng.random() < 0.7:
        building = rng.choice([f" {home.building}{home.room}", f"-{home.room}", f" {home.building} {home.room}号室"])
    address = f"{prefecture}{city}{town}{street}{building}"
    code = area.postcode
    roll = rng.random()
    if roll < 0.05:
        return "", ""  # no address at all
    if roll < 0.15:
        return "", f"〒{code[:3]}-{code[3:]} {address}"  # the postcode inside the address field
    if roll < 0.25:
        return "", address
    formats = [f"{code[:3]}-{code[3:]}", f"〒{code[:3]}-{code[3:]}", code, _wide(f"〒{code[:3]}-{code[3:]}")]
    return rng.choices(formats, weights=[60, 20, 12, 8])[0], address


def registry_rows(seed: int, persons: list[Person]) -> Iterator[tuple[str, dict[str, str]]]:
    """(person key as string, CSV row) as a clinic would have typed them; 1.5% get a duplicate chart."""
    rng = random.Random(seed + 1)
    for person in persons:
        copies = 2 if rng.random() < 0.015 else 1
        for copy in range(copies):
            patient_id = f"{person.key + 1:07d}" if copy == 0 else f"9{person.key + 1:07d}"
            dob = _dob_typo(rng, person.birthdate) if rng.random() < 0.01 else person.birthdate
            sex = ("2" if person.sex == "1" else "1") if rng.random() < 0.002 else person.sex
            postcode, address = registry_address(rng, person.home)
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
                    "postcode": postcode,
                    "address": address,
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


# -- face results as the insurer's data gives them ---------------------------------------------------
def _oqs_kana(rng: random.Random, family: str, given: str) -> str:
    kana = f"{family} {given}"
    if rng.random() < 0.5:  # small kana written full-size by the insurer
        kana = kana.translate(str.maketrans("ァィゥェォャュョッ", "アイウエオヤユヨツ"))
    return str(jaconv.z2h(kana, kana=True, ascii=False, digit=False))


def face_address(rng: random.Random, home: Home) -> tuple[str | None, str | None]:
    """(PostNumber, Address) as the insurer holds them: full width with 丁目番号; 8% stale or another
    address (勤務先, 本籍 …), 3% none."""
    roll = rng.random()
    if roll < 0.03:
        return None, None
    if roll < 0.11:
        home = _home(rng, areas(0)[rng.randrange(AREAS)])
    area = home.area
    street = (f"{home.chome}丁目{home.ban}番{home.go}号" if home.chome is not None
              else f"{home.ban}番地{home.go}")  # fmt: skip
    building = f"　{home.building}{home.room}号室" if home.building and rng.random() < 0.5 else ""
    postcode = f"{area.postcode[:3]}-{area.postcode[3:]}" if rng.random() < 0.9 else None
    return postcode, f"{area.prefecture}{area.city}{area.town}{_wide(street)}{_wide(building)}"


def _identity(rng: random.Random, person: Person, *, reference: str | None = None) -> Identity:
    padded = person.insurer.rjust(8) if len(person.insurer) == 6 else person.insurer
    postcode, address = face_address(rng, person.home)
    return Identity(
        name=f"{person.family[0]}　{person.given[0]}",
        name_kana=_oqs_kana(rng, person.family[1], person.given[1]),
        birthdate=person.birthdate.strftime("%Y%m%d"),
        sex=person.sex,
        insurer_number=padded,
        insured_card_symbol=person.symbol or None,
        insured_identification_number=person.number,
        insured_branch_number=person.branch,
        postcode=postcode,
        address=address,
        reference_number=reference,
    )


def queries(
    seed: int, persons: list[Person], charts: dict[int, set[str]], returning: int, new: int, namesakes: int = 0
) -> list[Query]:
    """Returning patients with life events, new relatives of registered patients, and `namesakes` unregistered
    namesakes next door of registered patients (all three groups labelled)."""
    rng = random.Random(seed + 2)
    result: list[Query] = []
    registered_namesakes = {p.key for p in persons if p.namesake_of is not None} | {
        p.namesake_of for p in persons if p.namesake_of is not None
    }
    for person in rng.sample(persons, returning):
        label = "returning"
        changed = person
        insurance_changed, same_house = False, True
        roll = rng.random()
        if roll < 0.12:
            insurer, symbol, number = _insurance(rng)
            changed = replace(changed, insurer=insurer, symbol=symbol, number=number, branch="00")
            label, insurance_changed = "insurer_change", True
        elif roll < 0.15:
            insurer, symbol, number = _insurance(rng)
            changed = replace(changed, insurer=insurer, symbol=symbol, number=number, branch="00",
                              home=_home(rng, areas(seed)[rng.randrange(AREAS)]))  # fmt: skip
            label, insurance_changed, same_house = "insurer_change_and_moved", True, False
        elif roll < 0.20:
            changed = replace(changed, home=_home(rng, areas(seed)[rng.randrange(AREAS)]))
            label, same_house = "moved", False
        if person.sex == "2" and rng.random() < 0.05:
            family = _weighted(rng, SURNAMES)
            insurer, symbol, number = _insurance(rng)
            changed = replace(changed, family=family, insurer=insurer, symbol=symbol, number=number, branch="01",
                              home=_home(rng, _area(rng, seed)))  # fmt: skip
            label, insurance_changed, same_house = "married", True, False
        reference = None
        has_reference = rng.random() < 0.30
        if has_reference:
            reference = min(charts[person.key])
            if rng.random() < 0.01:
                reference = f"{rng.randrange(1, len(persons)) + 1:07d}"  # a wrong 照会番号
                label = "wrong_reference"
        if person.key in registered_namesakes:
            label = f"namesake_registered:{label}"
        result.append(Query(_identity(rng, changed, reference=reference), frozenset(charts[person.key]),
                            has_reference, label, insurance_changed, same_house))  # fmt: skip
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
    for _ in range(namesakes):
        original = persons[rng.randrange(len(persons))]
        stranger = _namesake(rng, original, -1)
        result.append(Query(_identity(rng, stranger), frozenset(), False, "namesake_next_door"))
    return result
