"""What a clerk reads about one candidate at a glance: a score band, the matcher's reasons in plain Japanese,
hints for the situations that explain a difference (保険変更・転居・改姓・重複カルテ・双子), and which characters
differ. Pure functions over the comparison rows (compare.py) and the matcher's reason strings (scoring.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from kiosk.core.compare import FieldComparison, Verdict
from kiosk.core.matching import AUTO_MARGIN, AUTO_MIN
from kiosk.core.normalize import kana_parts

LIKELY_MIN = AUTO_MIN / 2


class Band(StrEnum):
    CERTAIN = "確実"
    LIKELY = "可能性高"
    POSSIBLE = "可能性あり"


def band(score: float | None, others: list[float]) -> Band | None:
    """確実 only where the matcher could have linked by itself: high and well clear of every other candidate."""
    if score is None:
        return None
    if score >= AUTO_MIN and all(score - other >= AUTO_MARGIN for other in others):
        return Band.CERTAIN
    return Band.LIKELY if score >= LIKELY_MIN else Band.POSSIBLE


@dataclass(frozen=True)
class Reason:
    text: str
    weight: float | None  # bits the matcher gave; None for notes such as "保険で加点済み"

    @property
    def mark(self) -> str:
        return "＋" if (self.weight or 0) > 0 else "－" if (self.weight or 0) < 0 else "・"


_WEIGHT = re.compile(r"\(([+-]\d+(?:\.\d+)?)\)$")


def plain_reasons(reasons: list[str]) -> list[Reason]:
    """「生年月日:完全一致(+14)」 → 「生年月日：完全一致」 with its weight; strongest first."""
    out = []
    for raw in reasons:
        found = _WEIGHT.search(raw)
        weight = float(found.group(1)) if found else None
        text = _WEIGHT.sub("", raw).replace(":", "：").strip()
        out.append(Reason(text, weight))
    return sorted(out, key=lambda r: -abs(r.weight or 0))


def main_reason(reasons: list[str]) -> str | None:
    """The strongest reason for the candidate (what a one-line row can say)."""
    positive = [r for r in plain_reasons(reasons) if (r.weight or 0) > 0]
    return positive[0].text if positive else None


def _verdicts(fields: list[FieldComparison]) -> dict[str, FieldComparison]:
    return {f.label: f for f in fields}


def _same(field: FieldComparison | None) -> bool:
    return field is not None and field.verdict in (Verdict.SAME, Verdict.NORMALISED, Verdict.VARIANT)


def _different(field: FieldComparison | None) -> bool:
    return field is not None and field.verdict is Verdict.DIFFERENT


def hints(fields: list[FieldComparison]) -> list[str]:
    """The common reasons one person's records differ, for the clerk to check (never a decision)."""
    by = _verdicts(fields)
    name, kana, born, sex = by.get("氏名"), by.get("カナ氏名"), by.get("生年月日"), by.get("性別")
    person_same = (_same(name) or _same(kana)) and _same(born) and not _different(sex)
    out = []
    insurer, number, branch = by.get("保険者番号"), by.get("番号"), by.get("枝番")
    if person_same and (_different(insurer) or _different(number)):
        out.append("保険変更の可能性：新しい保険の内容をレセコンに登録してください")
    if person_same and (_different(by.get("住所")) or _different(by.get("郵便番号"))):
        out.append("転居の可能性：住所の変更を確かめてください")
    if kana is not None and _different(kana) and _same(born):
        face, have = kana_parts(kana.face), kana_parts(kana.record)
        if face.given and face.given == have.given and _family_differs(kana):
            out.append("改姓の可能性：名と生年月日が同じで姓が違います（旧姓を確かめてください）")
    household = _same(insurer) and _same(number)
    if _same(born) and household and (_different(branch) or _different(kana)) and not _family_differs(kana):
        out.append("双子・同じ生年月日の家族の可能性：名と枝番を確かめてください")
    return out


def _family_differs(kana: FieldComparison | None) -> bool:
    if kana is None:
        return False
    face, have = kana_parts(kana.face), kana_parts(kana.record)
    return face.family is not None and have.family is not None and face.family != have.family


def duplicate_chart_hint(candidates: list[list[FieldComparison]]) -> str | None:
    """Two candidates that are the same person as far as the registry shows: one person's two charts."""
    people = [c for c in candidates if _same(_verdicts(c).get("生年月日"))
              and (_same(_verdicts(c).get("カナ氏名")) or _same(_verdicts(c).get("氏名")))]  # fmt: skip
    if len(people) < 2:
        return None
    return "重複カルテの可能性：同じ氏名・生年月日のカルテが複数あります（「重複カルテ」で記録できます）"


@dataclass(frozen=True)
class Segment:
    text: str
    differs: bool


def char_marks(face: str, record: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into runs that the other side shares or not (彩音 / 彩花 → 彩 + [音] / 彩 + [花])."""
    matcher = SequenceMatcher(None, face, record, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if face[a1:a2]:
            left.append(Segment(face[a1:a2], tag != "equal"))
        if record[b1:b2]:
            right.append(Segment(record[b1:b2], tag != "equal"))
    return left, right
