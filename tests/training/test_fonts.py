"""The training fonts: all installed, held-out fonts kept apart from their designs' other cuts."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from templateocr.training.charset import HANGUL
from templateocr.training.fonts import FONTS, Split, Style, covered, font_path, fonts_for, missing_fonts
from templateocr.training.woff import opentype_path


def _design(filename: str) -> str:
    """A font's design: the file name without weight, cut and extension."""
    stem = re.sub(r"-\d00-normal$", "", filename.rsplit(".", 1)[0])  # a Fontsource weight
    return re.sub(r"(-?(Regular|Bold|Light|ExtraBold|UltraLight|Italic|Eco|R|B|L|EB|a|Bd)$)", "", stem)


def test_every_font_of_the_catalogue_is_installed() -> None:
    assert missing_fonts() == []


def test_no_design_is_both_trained_on_and_held_out() -> None:
    train = {(_design(f.filename), f.family) for f in FONTS if f.split is Split.TRAIN}
    held = {(_design(f.filename), f.family) for f in FONTS if f.split is Split.HELD_OUT}
    assert not train & held
    assert len({f.name for f in FONTS}) == len(FONTS)


def test_each_evaluated_group_has_held_out_fonts() -> None:
    for style in Style:
        assert fonts_for(Split.HELD_OUT, style, hangul=True), style
        assert fonts_for(Split.HELD_OUT, style, hangul=False), style
        assert fonts_for(Split.TRAIN, style, hangul=True), style


def test_korean_fonts_cover_every_syllable_and_latin_fonts_none() -> None:
    for font in FONTS:
        chars = covered(font)
        if font.hangul:
            assert set(HANGUL) <= chars, font.name
        else:
            assert not set(HANGUL) & chars, font.name
            assert set("0123456789") <= chars or font.style is Style.HAND, font.name


def _licence_names(path: Path) -> list[str]:
    """The licence description and URL (name ids 13 and 14, Windows records) a font names."""
    data = opentype_path(path).read_bytes()
    (tables,) = struct.unpack_from(">H", data, 4)
    for index in range(tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        if tag == b"name":
            _, count, strings = struct.unpack_from(">HHH", data, offset)
            found = []
            for record in range(count):
                platform, _, _, name_id, length, start = struct.unpack_from(
                    ">6H", data, offset + 6 + 12 * record
                )
                if platform == 3 and name_id in (13, 14):
                    at = offset + strings + start
                    found.append(data[at : at + length].decode("utf-16-be"))
            return found
    return []


def test_the_licence_of_each_npm_font_is_its_package_s() -> None:
    """The catalogue's licence of a Fontsource font is the one its installed package declares;
    Fontsource's 4.x packages declared their packaging's MIT, so there the font's own name
    table is asked (Yeon Sung: the OFL's address)."""
    npm = [font for font in FONTS if font.package.startswith("@fontsource/")]
    assert npm
    for font in npm:
        path = font_path(font)
        assert path is not None, font.name
        package = json.loads((path.parent.parent / "package.json").read_text(encoding="utf-8"))
        if package["version"].startswith("4.") and package["license"] == "MIT":
            assert font.licence == "OFL-1.1", font.name
            assert any("scripts.sil.org/OFL" in name for name in _licence_names(path)), font.name
        else:
            assert font.licence == package["license"], font.name
