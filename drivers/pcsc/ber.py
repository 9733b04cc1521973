"""BER-TLV with generic tag and length forms (the basic-4 outer length may be 81 xx or 82 xx xx)."""

from __future__ import annotations


class BerError(ValueError):
    pass


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """(tag, value, next offset). Multi-byte tags (low 5 bits all set) and long-form lengths."""
    if offset >= len(data):
        raise BerError("no TLV at offset")
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        while True:
            if offset >= len(data):
                raise BerError("truncated tag")
            byte = data[offset]
            tag = (tag << 8) | byte
            offset += 1
            if not byte & 0x80:
                break
    offset, length = read_length(data, offset)
    end = offset + length
    if end > len(data):
        raise BerError("value runs past the data")
    return tag, data[offset:end], end


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """(offset after the length, length)."""
    if offset >= len(data):
        raise BerError("truncated length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return offset, first
    count = first & 0x7F
    if count == 0 or count > 3 or offset + count > len(data):
        raise BerError("unsupported length form")
    return offset + count, int.from_bytes(data[offset : offset + count], "big")


def header_size(data: bytes) -> tuple[int, int]:
    """From the first bytes of a TLV: (header length, total length) — to know how much more to read."""
    _tag, offset = data[0], 1
    if data[0] & 0x1F == 0x1F:
        while offset < len(data) and data[offset] & 0x80:
            offset += 1
        offset += 1
    offset, length = read_length(data, offset)
    return offset, offset + length


def children(value: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    offset = 0
    while offset < len(value):
        if value[offset] in (0x00, 0xFF) and offset + 1 == len(value):
            break  # padding
        tag, content, offset = read_tlv(value, offset)
        found.setdefault(tag, content)
    return found
