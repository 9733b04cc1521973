"""Fake patients who use the simulated face-auth reader; the registry fixture kiosk_clinic.csv knows them."""

from __future__ import annotations

from kiosk.demo.oqs_terminal import Person

TARO = Person("試験 太郎", "シケン タロウ", "19800401", "1", "06999992", "試験", "3001", "01")
HANAKO = Person("試験 花子", "シケン ハナコ", "19850707", "2", "06999992", "試験", "3002", "01")
# 次郎 changed jobs: a new insurer the registry does not know yet, so the match needs staff.
JIRO_NEW_JOB = Person("試験 次郎", "シケン ジロウ", "19900115", "1", "06999995", "新", "9001", "01")
TWIN_ICHIKO = Person("試験 一子", "シケン イチコ", "20000202", "2", "06999994", "試験", "5001", "01")
TWIN_FUTAKO = Person("試験 二子", "シケン フタコ", "20000202", "2", "06999994", "試験", "5001", "02")
