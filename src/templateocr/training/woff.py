"""WOFF 1.0 files inflated to the OpenType font they wrap.

FreeType opens a ``.woff`` by inflating every table, each time a size of it is loaded: tens of
milliseconds for a Korean font, which made font loading half the cost of a training line. The
inflated font is written once beside the file and opened from there.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from templateocr.exceptions import ConfigurationError

__all__ = ["WoffError", "inflate_woff", "opentype_path"]

_HEADER = struct.Struct(">4sIIHHIHHIIIII")
_ENTRY = struct.Struct(">4sIIII")
_RECORD = struct.Struct(">4sIII")
_OFFSETS = struct.Struct(">IHHHH")


class WoffError(ConfigurationError):
    """A training font's ``.woff`` file is not a WOFF 1.0 font (a broken install)."""

    message = "Font file is not a WOFF 1.0 font."


def inflate_woff(data: bytes) -> bytes:
    """The OpenType (sfnt) font a WOFF 1.0 file wraps, tables inflated and 4-byte aligned."""
    if len(data) < _HEADER.size:
        raise WoffError("too short for a WOFF header")
    signature, flavor, length, tables, _, _, _, _, _, _, _, _, _ = _HEADER.unpack_from(data)
    if signature != b"wOFF":
        raise WoffError(f"signature {signature!r} is not wOFF")
    if length != len(data) or tables == 0:
        raise WoffError("header length or table count does not match the file")
    entries = []
    for index in range(tables):
        position = _HEADER.size + index * _ENTRY.size
        if position + _ENTRY.size > len(data):
            raise WoffError("table directory runs past the end")
        tag, offset, packed, size, checksum = _ENTRY.unpack_from(data, position)
        if offset + packed > len(data) or packed > size:
            raise WoffError(f"table {tag!r} runs past the end")
        raw = data[offset : offset + packed]
        table = zlib.decompress(raw) if packed < size else raw
        if len(table) != size:
            raise WoffError(f"table {tag!r} inflates to {len(table)} bytes, not {size}")
        entries.append((tag, checksum, table))
    power = 1 << (tables.bit_length() - 1)
    head = _OFFSETS.pack(flavor, tables, power * 16, power.bit_length() - 1, tables * 16 - power * 16)
    offset = _OFFSETS.size + tables * _RECORD.size
    records, bodies = [], []
    for tag, checksum, table in entries:
        records.append(_RECORD.pack(tag, checksum, offset, len(table)))
        padded = table + b"\0" * (-len(table) % 4)
        bodies.append(padded)
        offset += len(padded)
    return head + b"".join(records) + b"".join(bodies)


def opentype_path(path: Path) -> Path:
    """``path`` itself, or for a ``.woff`` the inflated font written beside it (once, atomically;
    the ``.woff`` itself where that folder cannot be written)."""
    if path.suffix.lower() != ".woff":
        return path
    target = path.with_suffix(".inflated.otf")
    if target.is_file():
        return target
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(inflate_woff(path.read_bytes()))
        temporary.replace(target)
    except OSError:
        temporary.unlink(missing_ok=True)
        return path
    return target
