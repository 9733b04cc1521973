"""Seeded synthetic registry and labelled face-identity queries (fake people only).

Households share surname, address, postcode and an insurance 3-tuple with 枝番 00, 01, …; twins
exist; the registry is "hand-entered" with the corruptions of research matching.md §4.2, and the
queries carry life events (insurer change, move, marriage, wrong 照会番号) plus new relatives
of existing patients who must never be linked.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import jaconv

from kiosk.core.face import Identity

SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
    ("斎藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"), ("斉藤", "サイトウ"), ("福田", "フクダ"),
    ("太田", "オオタ"), ("西村", "ニシムラ"), ("藤井", "フジイ"), ("金子", "カネコ"), ("岡本", "オカモト"), ("藤原", "フジワラ"),
    ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"), ("松田", "マツダ"), ("竹内", "タケウチ"),
    ("小野", "オノ"), ("田村", "タムラ"), ("中山", "ナカヤマ"), ("和田", "ワダ"), ("石田", "イシダ"), ("森田", "モリタ"),
    ("上田", "ウエダ"), ("原", "ハラ"), ("内田", "ウチダ"), ("柴田", "シバタ"), ("酒井", "サカイ"), ("宮崎", "ミヤザキ"),
    ("横山", "ヨコヤマ"), ("高木", "タカギ"), ("安藤", "アンドウ"), ("宮本", "ミヤモト"), ("大野", "オオノ"), ("小島", "コジマ"),
    ("谷口", "タニグチ"), ("今井", "イマイ"), ("工藤", "クドウ"), ("高田", "タカダ"), ("増田", "マスダ"), ("丸山", "マルヤマ"),
    ("杉山", "スギヤマ"), ("村田", "ムラタ"), ("大塚", "オオツカ"), ("新井", "アライ"), ("小山", "コヤマ"), ("平野", "ヒラノ"),
    ("藤本", "フジモト"), ("河野", "コウノ"), ("上野", "ウエノ"), ("野口", "ノグチ"), ("武田", "タケダ"), ("松井", "マツイ"),
    ("千葉", "チバ"), ("岩崎", "イワサキ"), ("菅原", "スガワラ"), ("木下", "キノシタ"), ("久保", "クボ"), ("佐野", "サノ"),
    ("野村", "ノムラ"), ("松尾", "マツオ"), ("市川", "イチカワ"), ("菊地", "キクチ"), ("杉本", "スギモト"), ("古川", "フルカワ"),
    ("大西", "オオニシ"), ("島田", "シマダ"), ("水野", "ミズノ"), ("桜井", "サクライ"), ("高野", "タカノ"), ("渡部", "ワタナベ"),
    ("吉川", "ヨシカワ"), ("山内", "ヤマウチ"), ("西田", "ニシダ"), ("飯田", "イイダ"), ("菊池", "キクチ"), ("西川", "ニシカワ"),
    ("小松", "コマツ"), ("北村", "キタムラ"), ("安田", "ヤスダ"), ("五十嵐", "イガラシ"), ("川口", "カワグチ"), ("平田", "ヒラタ"),
    ("関", "セキ"), ("中田", "ナカタ"), ("久保田", "クボタ"), ("服部", "ハットリ"), ("東", "アズマ"), ("岩田", "イワタ"),
    ("土屋", "ツチヤ"), ("川崎", "カワサキ"), ("福島", "フクシマ"), ("本田", "ホンダ"), ("辻", "ツジ"), ("樋口", "ヒグチ"),
    ("秋山", "アキヤマ"), ("田口", "タグチ"), ("永井", "ナガイ"), ("山中", "ヤマナカ"), ("中西", "ナカニシ"), ("吉村", "ヨシムラ"),
    ("大橋", "オオハシ"), ("浜田", "ハマダ"), ("沢田", "サワダ"), ("吉岡", "ヨシオカ"), ("徳永", "トクナガ"), ("千田", "チダ"),
    ("茅野", "チノ"), ("鶴田", "ツルタ"), ("手塚", "テヅカ"), ("小野寺", "オノデラ"), ("矢野", "ヤノ"), ("堤", "ツツミ"),
]  # fmt: skip
MALE = [
    ("太郎", "タロウ"), ("一郎", "イチロウ"), ("健", "ケン"), ("翔", "ショウ"), ("大輔", "ダイスケ"), ("拓也", "タクヤ"),
    ("直樹", "ナオキ"), ("誠", "マコト"), ("浩", "ヒロシ"), ("隆", "タカシ"), ("悠太", "ユウタ"), ("陽翔", "ハルト"),
    ("蓮", "レン"), ("湊", "ミナト"), ("大和", "ヤマト"), ("颯", "ハヤテ"), ("翼", "ツバサ"), ("和也", "カズヤ"),
    ("達也", "タツヤ"), ("修", "オサム"), ("勇", "イサム"), ("茂", "シゲル"), ("清", "キヨシ"), ("進", "ススム"),
    ("実", "ミノル"), ("博", "ヒロシ"), ("正", "タダシ"), ("明", "アキラ"), ("稔", "ミノル"), ("昇", "ノボル"),
    ("雄一", "ユウイチ"), ("健一", "ケンイチ"), ("康弘", "ヤスヒロ"), ("秀樹", "ヒデキ"), ("英樹", "ヒデキ"), ("智也", "トモヤ"),
    ("亮", "リョウ"), ("涼", "リョウ"), ("優斗", "ユウト"), ("悠斗", "ユウト"), ("陸", "リク"), ("樹", "イツキ"),
    ("駿", "シュン"), ("俊介", "シュンスケ"), ("剛", "ツヨシ"), ("学", "マナブ"), ("豊", "ユタカ"), ("勝", "マサル"),
    ("恭平", "キョウヘイ"), ("潤", "ジュン"), ("純一", "ジュンイチ"), ("光", "ヒカル"), ("渉", "ワタル"), ("純", "ジュン"),
    ("慎吾", "シンゴ"), ("大地", "ダイチ"), ("晴", "ハル"), ("瑛太", "エイタ"), ("航", "ワタル"), ("壮", "ソウ"),
    ("龍之介", "リュウノスケ"), ("雄大", "ユウダイ"), ("貴之", "タカユキ"), ("洋平", "ヨウヘイ"), ("孝", "タカシ"), ("功", "イサオ"),
]  # fmt: skip
FEMALE = [
    ("花子", "ハナコ"), ("恵子", "ケイコ"), ("洋子", "ヨウコ"), ("幸子", "サチコ"), ("和子", "カズコ"), ("京子", "キョウコ"),
    ("優子", "ユウコ"), ("裕子", "ユウコ"), ("美香", "ミカ"), ("直美", "ナオミ"), ("陽菜", "ヒナ"), ("結衣", "ユイ"),
    ("葵", "アオイ"), ("凛", "リン"), ("芽依", "メイ"), ("さくら", "サクラ"), ("美咲", "ミサキ"), ("愛", "アイ"),
    ("彩", "アヤ"), ("真由美", "マユミ"), ("久美子", "クミコ"), ("智子", "トモコ"), ("由美", "ユミ"), ("明美", "アケミ"),
    ("千代", "チヨ"), ("静香", "シズカ"), ("瑞穂", "ミズホ"), ("千鶴", "チヅル"), ("春香", "ハルカ"), ("遥", "ハルカ"),
    ("舞", "マイ"), ("麻衣", "マイ"), ("沙織", "サオリ"), ("理恵", "リエ"), ("香織", "カオリ"), ("紀子", "ノリコ"),
    ("典子", "ノリコ"), ("節子", "セツコ"), ("文子", "フミコ"), ("信子", "ノブコ"), ("美智子", "ミチコ"), ("道子", "ミチコ"),
    ("陽子", "ヨウコ"), ("順子", "ジュンコ"), ("純子", "ジュンコ"), ("奈々", "ナナ"), ("七海", "ナナミ"), ("杏", "アン"),
    ("紬", "ツムギ"), ("結菜", "ユイナ"), ("莉子", "リコ"), ("美羽", "ミウ"), ("心春", "コハル"), ("詩", "ウタ"),
    ("絵美", "エミ"), ("恵美", "エミ"), ("亜希子", "アキコ"), ("朋美", "トモミ"), ("友美", "トモミ"), ("珠代", "タマヨ"),
    ("ゆき", "ユキ"), ("雪乃", "ユキノ"), ("千尋", "チヒロ"), ("乃愛", "ノア"), ("澪", "ミオ"), ("琴音", "コトネ"),
]  # fmt: skip
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


_WEIGHTS: dict[int, list[float]] = {}


def _weighted(rng: random.Random, pool: list[tuple[str, str]]) -> tuple[str, str]:
    """Mildly Zipf-like: the first names of a pool are a few times commoner than the last."""
    weights = _WEIGHTS.setdefault(len(pool), [1 / (rank + 15) for rank in range(len(pool))])
    return rng.choices(pool, weights=weights)[0]


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
                )  # fmt: skip
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
