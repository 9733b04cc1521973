"""Property: whatever bytes arrive, the parser answers with a document or a problem, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.oqs.face_xml import parse_face_file
from kiosk.core.face import FaceDocument, FaceProblem
from tests.conftest import face_fixture

GOOD = face_fixture("kokuho_shift_jis_random_order").read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(parse_face_file(raw), FaceDocument | FaceProblem)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.binary(min_size=1, max_size=8))
def test_corrupted_good_file_never_raises(position: int, noise: bytes) -> None:
    corrupted = GOOD[:position] + noise + GOOD[position + len(noise) :]
    assert isinstance(parse_face_file(corrupted), FaceDocument | FaceProblem)
