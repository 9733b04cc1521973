"""`registry import` and `match` as DESIGN.md specifies them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import FIXTURES
from tests.kiosk.cli.conftest import run_cli

HEADER = (
    "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
    "insured_branch_number,postcode,address,reference_number,extra_column\n"
)


def uketsuke(config: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("--config", str(config), *args, stdin=stdin)


def test_import_reports_every_rejected_row_and_reimport_updates(config: Path, tmp_path: Path) -> None:
    csv = tmp_path / "patients.csv"
    csv.write_text(
        HEADER
        + "0001,試験 太郎,しけん たろう,昭和55年4月1日,男,06999991,,0012,01,,,,x\n"
        + "0002,試験 花子,ｼｹﾝ ﾊﾅｺ,R1.5.1,F,,,,,,,,\n"
        + "0003,試験 次郎,ｼｹﾝ ｼﾞﾛｳ,昭和64年1月8日,1,,,,,,,,\n"
        + ",名無し,ﾅﾅｼ,19800101,1,,,,,,,,\n"
        + "0005,試験 五郎,ｼｹﾝ ｺﾞﾛｳ,19800101,X,,,,,,,,\n",
        encoding="utf-8",
    )
    first = uketsuke(config, "registry", "import", str(csv))
    assert first.returncode == 0, first.stderr
    assert "added 2" in first.stdout and "rejected 3" in first.stdout
    assert "4行目" in first.stdout and "昭和64年1月8日" in first.stdout
    assert "5行目" in first.stdout and "患者番号" in first.stdout
    assert "6行目" in first.stdout and "性別" in first.stdout
    again = uketsuke(config, "registry", "import", str(csv))
    assert "added 0, updated 0, unchanged 2" in again.stdout


def test_import_of_a_missing_or_non_utf8_file_is_one_line(config: Path, tmp_path: Path) -> None:
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes((HEADER + "0001,試験 太郎,ｼｹﾝ ﾀﾛｳ,19800401,1,,,,,,,,\n").encode("cp932"))
    for target in (sjis, tmp_path / "missing.csv"):
        done = uketsuke(config, "registry", "import", str(target))
        assert done.returncode == 2
        assert done.stderr.startswith("エラー") and "Traceback" not in done.stderr


def test_match_reads_identities_and_writes_decisions(config: Path) -> None:
    assert uketsuke(config, "registry", "import", str(FIXTURES / "registry" / "edge_cases.csv")).returncode == 0
    queries = [
        {"id": "q1", "name_kana": "ｼｹﾝ ﾕｳｷ", "birthdate": "20150601", "sex": "1", "insurer_number": "06999991",
         "insured_card_symbol": "試験", "insured_identification_number": "1111", "insured_branch_number": "02"},
        {"id": "q2", "name_kana": "ｼｹﾝ ｻﾌﾞﾛｳ", "birthdate": "19550505", "sex": "1", "insurer_number": "06999991",
         "insured_card_symbol": "試験", "insured_identification_number": "8888", "insured_branch_number": "00"},
        {"id": 3, "name_kana": "ﾍﾞﾂｼﾞﾝ", "birthdate": "19991231", "sex": "2"},
    ]  # fmt: skip
    done = uketsuke(config, "match", stdin="".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries))
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["q1", "q2", 3]
    assert [a["decision"] for a in answers] == ["auto_link", "review", "no_match"]
    assert answers[0]["patient_id"] == "1002" and answers[1]["patient_id"] is None
    for answer in answers:
        assert list(answer) == ["id", "decision", "patient_id", "candidates"]
        assert len(answer["candidates"]) <= 5
        for candidate in answer["candidates"]:
            assert list(candidate) == ["patient_id", "score", "reasons"]
            assert isinstance(candidate["patient_id"], str)
    scores = [c["score"] for c in answers[1]["candidates"]]
    assert scores == sorted(scores, reverse=True)
    # who ran it and which charts it showed are audited (not the identities that were asked about)
    listed = uketsuke(config, "audit", "export", str(config.parent / "audit.csv"))
    assert listed.returncode == 0, listed.stderr
    exported = (config.parent / "audit.csv").read_text(encoding="utf-8-sig")
    (line,) = [row for row in exported.splitlines() if ",cli_list," in row and ",match," in row]
    shown = sorted({c["patient_id"] for a in answers for c in a["candidates"]})
    assert all(pid in line for pid in shown) and "ｼｹﾝ" not in line and "20150601" not in line


def test_match_treats_empty_strings_as_missing(config: Path) -> None:
    """`"reference_number": ""` is no 照会番号, not a 照会番号 that is missing from the registry."""
    assert uketsuke(config, "registry", "import", str(FIXTURES / "registry" / "edge_cases.csv")).returncode == 0
    query = {"name_kana": "ｼｹﾝ ﾕｳｷ", "birthdate": "20150601", "sex": "1", "insurer_number": "06999991",
             "insured_card_symbol": "試験", "insured_identification_number": "1111", "insured_branch_number": "02"}
    lines = [query | {"id": "plain"}, query | {"id": "blank", "reference_number": "", "postcode": "", "address": " "}]
    done = uketsuke(config, "match", stdin="".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines))
    assert done.returncode == 0, done.stderr
    plain, blank = (json.loads(line) for line in done.stdout.splitlines())
    assert plain["decision"] == blank["decision"] == "auto_link"
    assert plain["candidates"] == blank["candidates"]
    assert not any("照会番号" in r for c in blank["candidates"] for r in c["reasons"])


def test_match_rejects_a_line_that_is_not_json(config: Path) -> None:
    done = uketsuke(config, "match", stdin="not json\n")
    assert done.returncode == 2 and "1行目" in done.stderr and "Traceback" not in done.stderr


def test_registry_search_json_lines_best_first_and_audited(config: Path) -> None:
    assert uketsuke(config, "registry", "import", str(FIXTURES / "registry" / "edge_cases.csv")).returncode == 0
    done = uketsuke(config, "registry", "search", "しけん", "S30.5.5", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["patient_id"] for line in lines] == ["1051", "1052"]
    assert set(lines[0]) == {"patient_id", "name", "name_kana", "birthdate", "sex"}
    assert lines[0]["birthdate"] == "1955-05-05" and lines[0]["name"] == "試験 三郎"
    common = uketsuke(config, "registry", "search", "ｼｹﾝ", "--json")
    assert len(common.stdout.splitlines()) == 20  # at most 20: the fixture has 21 シケン
    text = uketsuke(config, "registry", "search", "01131")
    assert "1131" in text.stdout and "試験 八郎" in text.stdout and "1件" in text.stdout
    empty = uketsuke(config, "registry", "search", "！")
    assert empty.returncode == 2 and empty.stderr.startswith("エラー") and "Traceback" not in empty.stderr
    audit = uketsuke(config, "audit", "export", str(config.parent / "audit.csv"))
    assert audit.returncode == 0, audit.stderr
    rows = (config.parent / "audit.csv").read_text(encoding="utf-8-sig")
    searches = [r for r in rows.splitlines() if "registry_search" in r]
    assert len(searches) == 3 and all("os:" in r for r in searches)
    assert "しけん" not in rows and "ｼｹﾝ" not in rows  # the kinds typed are recorded, not the text
    assert "1051" in searches[0] and "kana,birthdate" in searches[0]


def test_appointments_import_and_list_json(config: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "appointments.csv"
    csv_path.write_text("appointment_id,patient_id,date,time,department_code,physician_code,note\n"
                        "A1,0012,2026-12-02,10:30,01,10001,\nA2,0013,2026-12-02,09:00,02,,\nA3,0014,2026-12-02,9時,01,,\n",
                        encoding="utf-8")  # fmt: skip
    done = uketsuke(config, "appointments", "import", str(csv_path))
    assert done.returncode == 0, done.stderr
    assert "added 2" in done.stdout and "rejected 1" in done.stdout and "4行目" in done.stdout
    listed = uketsuke(config, "appointments", "list", "--date", "2026-12-02", "--json")
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [line["appointment_id"] for line in lines] == ["A2", "A1"]
    assert lines[1] == {"appointment_id": "A1", "patient_id": "0012", "date": "2026-12-02", "time": "10:30",
                        "department_code": "01", "physician_code": "10001", "state": "booked", "reception_id": None}
    bad = uketsuke(config, "appointments", "list", "--date", "12/02")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr


def test_an_appointment_whose_number_lost_its_zeros_is_pointed_out(config: Path, tmp_path: Path) -> None:
    """Excel turns 00131 into 131: the import says which 予約 have no chart and which chart each probably meant."""
    charts = tmp_path / "charts.csv"
    charts.write_text("patient_id,name,name_kana,birthdate,sex\n00131,試験 一郎,シケン イチロウ,1970-01-01,1\n"
                      "2001,試験 二郎,シケン ジロウ,1971-01-01,1\n", encoding="utf-8")  # fmt: skip
    assert uketsuke(config, "registry", "import", str(charts)).returncode == 0
    csv_path = tmp_path / "appointments.csv"
    csv_path.write_text("appointment_id,patient_id,date,time,department_code,physician_code,note\n"
                        "A1,2001,2026-12-02,10:30,01,,\nA2,131,2026-12-02,11:00,01,,\nA3,777,2026-12-02,11:30,01,,\n",
                        encoding="utf-8")  # fmt: skip
    done = uketsuke(config, "appointments", "import", str(csv_path))
    assert done.returncode == 0, done.stderr
    assert "added 3" in done.stdout and "台帳にない患者番号の予約 2 人" in done.stdout
    assert "131 → 台帳の 00131 では？" in done.stdout
    assert "777 →" not in done.stdout  # no chart resembles it: nothing is suggested
