"""Hardened reading of any XML the 資格確認端末 writes (face results, 照会番号 answers).

The terminal writes UTF-8 or Shift_JIS (cp932, for 髙/﨑 and NEC specials) depending on its setup, and a
declaration may lie; DTDs and entities are refused (defusedxml); a parse error may mean the file is
still being written. Every failure is a FaceProblem with a bilingual reason, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kiosk.core.face import FaceProblem

ExpectedEncoding = Literal["auto", "utf-8", "shift_jis"]
EncodingBasis = Literal["bom", "declared", "detected"]

_DECLARATION = re.compile(rb"^\s*<\?xml\b[^>]*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENCODING_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "cp932": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
}
LABEL = {"utf-8": "UTF-8", "cp932": "Shift_JIS"}


def problem(code: str, ja: str, en: str, *, maybe_incomplete: bool = False) -> FaceProblem:
    return FaceProblem(code=code, ja=ja, en=en, maybe_incomplete=maybe_incomplete)


def oversize_problem(size: int, cap: int) -> FaceProblem:
    return problem(
        "oversize",
        f"ファイルが大きすぎます（{size}バイト、上限{cap}バイト）",
        f"file too large ({size} bytes, limit {cap} bytes)",
    )


@dataclass(frozen=True)
class Decoded:
    """A parsed OQS XML file: its root, the encoding used ("utf-8" or "cp932") and what decided it."""

    root: Element
    encoding: str
    basis: EncodingBasis
    warnings: tuple[str, ...] = ()


def decode_and_parse(raw: bytes, expected: ExpectedEncoding = "auto") -> Decoded | FaceProblem:
    """The decoding rule: a BOM decides; else a declared encoding decides (a declaration that does not match
    the bytes is refused); else UTF-8 if the bytes are valid UTF-8, else CP932 if they are valid CP932, else
    refuse. Other consumers read undeclared Shift_JIS files, so we do too (and say so in the file's facts)."""
    if not raw:
        return problem("empty", "空のファイルです", "empty file", maybe_incomplete=True)
    decoded = _decode(raw, expected)
    if isinstance(decoded, FaceProblem):
        return decoded
    text, encoding, basis, warnings = decoded
    root = _parse_xml(text)
    if isinstance(root, FaceProblem):
        return root
    return Decoded(root, encoding, basis, warnings)


def _decode(raw: bytes, expected: ExpectedEncoding) -> tuple[str, str, EncodingBasis, tuple[str, ...]] | FaceProblem:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem("encoding", "UTF-16は扱えません", "UTF-16 is not supported")
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    declaration = _DECLARATION.match(body)
    declared: str | None = None
    if declaration:
        found = _DECLARED_ENCODING.search(declaration.group(0))
        if found:
            label = found.group(1).decode("ascii").lower()
            declared = _ENCODING_ALIASES.get(label)
            if declared is None:
                return problem(
                    "encoding",
                    f"未対応の文字コード宣言です（{label}）",
                    f"unsupported encoding declaration ({label})",
                )
    elif body.lstrip()[:1] != b"<":
        return problem(
            "not_xml",
            "XMLではありません（暗号化設定が有効かもしれません）",
            "not XML (is output encryption enabled on the terminal?)",
        )
    warnings: list[str] = []
    sniffed = _sniff(body)
    basis: EncodingBasis
    if bom:
        basis, actual = "bom", "utf-8"
        if sniffed not in ("ascii", "utf-8"):
            return problem(
                "encoding",
                "BOMと内容の文字コードが一致しません",
                "byte-order mark does not match the content",
                maybe_incomplete=_truncated_multibyte(body),
            )
        if declared not in (None, "utf-8"):
            warnings.append(f"the declaration says {LABEL[declared]} but the UTF-8 byte-order mark decides")
    elif sniffed is None:
        return problem(
            "encoding",
            "UTF-8としてもShift_JISとしても読めません",
            "bytes are neither valid UTF-8 nor Shift_JIS",
            maybe_incomplete=_truncated_multibyte(body),
        )
    elif declared is not None:
        basis, actual = "declared", declared
        if sniffed != "ascii" and sniffed != declared:
            return problem(
                "encoding_mismatch",
                f"文字コード宣言（{LABEL[declared]}）と内容（{LABEL[sniffed]}）が一致しません",
                f"encoding declaration ({LABEL[declared]}) does not match the content ({LABEL[sniffed]})",
            )
    else:
        basis, actual = "detected", "utf-8" if sniffed == "ascii" else sniffed
    if expected != "auto":
        wanted = _ENCODING_ALIASES[expected]
        if actual != wanted and sniffed != "ascii":
            return problem(
                "encoding_setting",
                f"設定の文字コード（{LABEL[wanted]}）と異なるファイルです（{LABEL[actual]}）",
                f"file is {LABEL[actual]} but the configured encoding is {LABEL[wanted]}",
            )
    text = body.decode(actual)
    if declaration:
        text = text[len(declaration.group(0).decode(actual)) :]
    return text, actual, basis, tuple(warnings)


def _sniff(body: bytes) -> str | None:
    if body.isascii():
        return "ascii"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("cp932")
        return "cp932"
    except UnicodeDecodeError:
        return None


def _truncated_multibyte(body: bytes) -> bool:
    """A file cut in the middle of a multi-byte character decodes once its tail is dropped."""
    for cut in (1, 2, 3):
        head = body[:-cut]
        for enc in ("utf-8", "cp932"):
            try:
                head.decode(enc)
                return True
            except UnicodeDecodeError:
                continue
    return False


def _parse_xml(text: str) -> Element | FaceProblem:
    try:
        root: Element = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return problem(
            "unsafe_xml",
            "DTD・実体参照を含む危険なXMLのため読み込みません",
            "unsafe XML (DTD or entity declarations) refused",
        )
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        return problem(
            "malformed",
            f"XMLが壊れています（{line}行{column}桁）",
            f"malformed XML (line {line}, column {column})",
            maybe_incomplete=True,
        )
    return root


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: Element, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def text_of(element: Element | None, name: str) -> str | None:
    if element is None:
        return None
    found = child(element, name)
    if found is None or found.text is None or found.text == "":
        return None
    return found.text


def to_data(element: Element) -> Any:
    """Everything under an element as plain data; `...List` containers are always lists."""
    kids = list(element)
    if not kids:
        return element.text if element.text is not None else ""
    if local(element.tag).endswith("List"):
        return [to_data(kid) if list(kid) else {local(kid.tag): kid.text or ""} for kid in kids]
    grouped: dict[str, list[Any]] = {}
    for kid in kids:
        grouped.setdefault(local(kid.tag), []).append(to_data(kid))
    return {key: values[0] if len(values) == 1 else values for key, values in grouped.items()}
