"""WOFF inflation: a font wrapped as WOFF comes back as the same font, written once beside it."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import ImageFont

from templateocr.synth.fonts import find_font_file
from templateocr.training.fonts import FONTS, font_path
from templateocr.training.woff import WoffError, inflate_woff, opentype_path

_GLYPHS = "AgQ09@ 한글"


def _dejavu() -> Path:
    path = find_font_file("DejaVuSans.ttf", (Path("/usr/share/fonts"),))
    assert path is not None
    return path


def _wrap(sfnt: bytes) -> bytes:
    """A WOFF 1.0 file for an OpenType font (the tables deflated where that is smaller)."""
    flavor, count = struct.unpack_from(">IH", sfnt)
    tables = []
    for index in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", sfnt, 12 + 16 * index)
        raw = sfnt[offset : offset + length]
        packed = zlib.compress(raw)
        tables.append((tag, checksum, length, packed if len(packed) < length else raw))
    offset = 44 + 20 * count
    directory, bodies = b"", b""
    for tag, checksum, length, body in tables:
        directory += struct.pack(">4sIIII", tag, offset, len(body), length, checksum)
        padded = body + b"\0" * (-len(body) % 4)
        bodies += padded
        offset += len(padded)
    header = struct.pack(">4sIIHHIHHIIIII", b"wOFF", flavor, offset, count, 0, len(sfnt), 1, 0, 0, 0, 0, 0, 0)
    return header + directory + bodies


def _masks(path: Path) -> list[bytes]:
    font = ImageFont.truetype(str(path), 24)
    return [bytes(font.getmask(char)) for char in _GLYPHS]


def test_a_wrapped_font_inflates_to_one_that_draws_the_same_glyphs(tmp_path: Path) -> None:
    original = _dejavu()
    woff = tmp_path / "dejavu.woff"
    woff.write_bytes(_wrap(original.read_bytes()))
    inflated = opentype_path(woff)
    assert inflated != woff and inflated.parent == tmp_path
    assert _masks(inflated) == _masks(original)
    assert opentype_path(woff) == inflated  # written once, found after


def test_a_font_that_is_not_woff_is_opened_as_it_is() -> None:
    assert opentype_path(_dejavu()) == _dejavu()


def test_where_the_inflated_font_cannot_be_written_freetype_reads_the_woff(tmp_path: Path) -> None:
    woff = tmp_path / "dejavu.woff"
    woff.write_bytes(_wrap(_dejavu().read_bytes()))
    woff.with_suffix(".inflated.otf").mkdir()  # a folder where the font would go: the write fails
    assert opentype_path(woff) == woff
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dejavu.inflated.otf", "dejavu.woff"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"wOFF", "too short"),
        (b"OTTO" + b"\0" * 60, "signature"),
        (struct.pack(">4sIIHHIHHIIIII", b"wOFF", 0x10000, 999, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), "length"),
    ],
)
def test_bytes_that_are_not_woff_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(WoffError, match=message):
        inflate_woff(data)


def test_a_table_that_runs_past_the_end_is_refused() -> None:
    woff = bytearray(_wrap(_dejavu().read_bytes()))
    struct.pack_into(">I", woff, 44 + 8, 10**7)  # the first table's packed length
    with pytest.raises(WoffError, match="past the end"):
        inflate_woff(bytes(woff))


def test_the_fontsource_training_fonts_inflate_to_the_glyphs_freetype_reads_from_the_woff() -> None:
    woffs = [path for font in FONTS if (path := font_path(font)) is not None and path.suffix == ".woff"]
    assert len(woffs) > 40
    for path in woffs[::8]:
        assert _masks(opentype_path(path)) == _masks(path), path.name
