"""照会番号 result zips are unpacked with a hard cap on the real size (issue 19): the size a zip declares is not
trusted. A 300 KB zip whose member claims 100 bytes but holds 300 MB took 600 MB of memory and raised."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from adapters.oqs.reference_files import read_result_bytes

ROOT = Path(__file__).resolve().parents[3]

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent that built the 300 MB test data
MEASURE = """
import json, sys
from pathlib import Path
from adapters.oqs.reference_files import read_result_bytes
out = read_result_bytes(Path(sys.argv[1]))
peak = next(int(l.split()[1]) for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM"))
print(json.dumps({"length": len(out), "peak_mb": peak // 1024}))
"""


def lying_zip(path: Path, real_bytes: int, claimed: int) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OQSsiquc01res_bulk.xml", b"<XmlMsg>" + b" " * real_bytes + b"</XmlMsg>")
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, 22, claimed)  # the local header's uncompressed size
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, claimed)  # and the central directory's
    path.write_bytes(bytes(data))
    return path


def test_a_zip_that_lies_about_its_size_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    bomb = lying_zip(tmp_path / "result.zip", 300 * 1024 * 1024, 100)
    assert bomb.stat().st_size < 1024 * 1024
    done = subprocess.run([sys.executable, "-c", MEASURE, str(bomb)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-1500:]  # no exception escapes
    report = json.loads(done.stdout)
    assert report["length"] == 0  # unreadable, reported as such by the caller
    assert report["peak_mb"] < 200, report


def test_an_honest_zip_and_a_broken_one(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<XmlMsg/>")
    assert read_result_bytes(good) == b"<XmlMsg/>"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good.read_bytes()[:40])
    assert read_result_bytes(broken) == b""
