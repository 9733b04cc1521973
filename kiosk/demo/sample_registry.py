"""A sample registry of fake patients for the demo: households sharing an insurance (枝番 per member), twins,
hand-entered kana in half width or without a space, and the handful of people the demo's story follows.

Deterministic (a fixed seed) and made only of fake names (試験・見本・模擬 …), never real people.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import jaconv

from kiosk.demo.oqs_terminal import Person
from kiosk.services.registry_import import COLUMNS

FAMILIES = [("試験", "シケン"), ("見本", "ミホン"), ("模擬", "モギ"), ("例題", "レイダイ"), ("検証", "ケンショウ"),
            ("架空", "カクウ"), ("想定", "ソウテイ"), ("演習", "エンシュウ"), ("練習", "レンシュウ"),
            ("仮設", "カセツ"), ("標本", "ヒョウホン"), ("雛形", "ヒナガタ")]  # fmt: skip
MALE = [("太郎", "タロウ"), ("一郎", "イチロウ"), ("次郎", "ジロウ"), ("健太", "ケンタ"), ("翔太", "ショウタ"),
        ("大輔", "ダイスケ"), ("誠", "マコト"), ("浩", "ヒロシ"), ("拓海", "タクミ"), ("蓮", "レン")]  # fmt: skip
FEMALE = [("花子", "ハナコ"), ("春子", "ハルコ"), ("陽菜", "ヒナ"), ("美咲", "ミサキ"), ("真由美", "マユミ"),
          ("恵子", "ケイコ"), ("彩花", "アヤカ"), ("結衣", "ユイ"), ("道子", "ミチコ"), ("葵", "アオイ")]  # fmt: skip

# The people the demo's story follows (their charts are in the registry unless said otherwise).
RETURNING = Person("試験 太郎", "シケン タロウ", "19800401", "1", "06999992", "試験", "3001", "01")
WITH_REFERENCE = Person("見本 花子", "ミホン ハナコ", "19750707", "2", "06999992", "見本", "3101", "01")
TWIN_REGISTERED = Person("模擬 彩花", "モギ アヤカ", "20120505", "2", "06999993", "模擬", "8001", "01")
TWIN_NEW = Person("模擬 彩音", "モギ アヤネ", "20120505", "2", "06999993", "模擬", "8001", "02")  # not registered yet
NEW_PATIENT = Person("架空 さくら", "カクウ サクラ", "19990909", "2", "06999994", "架空", "9901", "01")
STORY = {"1001": RETURNING, "1002": WITH_REFERENCE, "1003": TWIN_REGISTERED}


def _row(pid: str, person: Person, postcode: str, address: str, reference: str = "") -> dict[str, str]:
    return {"patient_id": pid, "name": person.name, "name_kana": person.kana, "birthdate": person.birthdate,
            "sex": person.sex, "insurer_number": person.insurer, "insured_card_symbol": person.symbol or "",
            "insured_identification_number": person.number, "insured_branch_number": person.branch or "",
            "postcode": postcode, "address": address, "reference_number": reference}  # fmt: skip


def rows(count: int, seed: int = 20261122) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = [_row("1001", RETURNING, "999-0002", "試験県試験市本町1-1"),
           _row("1002", WITH_REFERENCE, "999-0003", "試験県試験市本町2-2", reference="1002"),
           _row("1003", TWIN_REGISTERED, "999-0004", "試験県試験市本町3-3")]  # fmt: skip
    next_id = 10001
    household = 0
    while len(out) < count:
        household += 1
        family, family_kana = rng.choice(FAMILIES)
        insurer = f"06{rng.randrange(100000, 999999)}"
        number = str(rng.randrange(1000, 99999))
        postcode = f"999-{household % 10000:04d}"
        address = f"試験県見本市{household}番地"
        members = rng.choice([1, 1, 2, 2, 3, 4])
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        twins = rng.random() < 0.03
        for member in range(members):
            sex = rng.choice(["1", "2"])
            given, given_kana = rng.choice(MALE if sex == "1" else FEMALE)
            if member and not twins:
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
            kana = f"{family_kana} {given_kana}"
            if rng.random() < 0.1:
                kana = jaconv.z2h(kana, kana=True, digit=True, ascii=True)  # typed on an old system in half width
            elif rng.random() < 0.05:
                kana = kana.replace(" ", "")
            person = Person(f"{family} {given}", kana, born.strftime("%Y%m%d"), sex, insurer, family, number,
                            f"{member + 1:02d}")  # fmt: skip
            out.append(_row(str(next_id), person, postcode, address))
            next_id += 1
    return out[:count]


def write_registry(path: Path, count: int) -> int:
    data = rows(count)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(data)
    return len(data)
