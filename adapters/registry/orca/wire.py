"""ORCA's two wire formats: "xml2" (`<data><x type="record">…`) and JSON (`format=json`).

Both wrap the payload in the record name (`acceptreq` → `acceptres`); repeating groups are
`type="array"` with `<Name_child>` items in xml2, and JSON pads fixed-size arrays with `{}`.
Values stay strings: 患者番号 and insurance numbers must never become numbers.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

WireFormat = Literal["json", "xml2"]


class WireError(ValueError):
    """The body is not what ORCA sends (malformed, wrong encoding, unexpected shape)."""


def encode(record: str, data: dict[str, Any], fmt: WireFormat) -> tuple[bytes, str]:
    if fmt == "json":
        return json.dumps({record: data}, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"
    root = Element("data")
    _xml_value(root, record, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False), (
        "application/xml; charset=utf-8"
    )


def _xml_value(parent: Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        node = SubElement(parent, name, type="record")
        for key, item in value.items():
            if item is not None:
                _xml_value(node, key, item)
    elif isinstance(value, list):
        node = SubElement(parent, name, type="array")
        for item in value:
            _xml_value(node, f"{name}_child", item)
    else:
        SubElement(parent, name, type="string").text = str(value)


def decode(body: bytes, fmt: WireFormat) -> tuple[str, dict[str, Any]]:
    """(record name, its content) of a response body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("応答が UTF-8 ではありません / the answer is not UTF-8") from None
    if fmt == "json":
        try:
            parsed = json.loads(text)
        except ValueError:
            raise WireError("応答の JSON が壊れています / malformed JSON answer") from None
        if not isinstance(parsed, dict) or len(parsed) != 1:
            raise WireError("応答の形が違います / unexpected answer shape")
        ((record, content),) = parsed.items()
        if not isinstance(content, dict):
            raise WireError("応答の形が違います / unexpected answer shape")
        return record, _trim(content)
    try:
        root = fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text, forbid_dtd=True)
    except (ParseError, DefusedXmlException):
        raise WireError("応答の XML が壊れています / malformed XML answer") from None
    records = list(root)
    if root.tag not in ("xmlio2", "data") or len(records) != 1:
        raise WireError("応答の形が違います / unexpected answer shape")
    content = _from_xml(records[0])
    if not isinstance(content, dict):
        raise WireError("応答の形が違います / unexpected answer shape")
    return records[0].tag, content


def _from_xml(node: Element) -> Any:
    kind = node.get("type")
    if kind == "array":
        return [_from_xml(child) for child in node]
    if kind == "record" or len(node):
        return {child.tag: _from_xml(child) for child in node}
    return node.text or ""


def _trim(value: Any) -> Any:
    """JSON pads fixed-size arrays with empty objects; drop them."""
    if isinstance(value, dict):
        return {key: _trim(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_trim(item) for item in value if item != {}]
    return value
