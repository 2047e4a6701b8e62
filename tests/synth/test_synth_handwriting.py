"""Handwriting fonts: the catalogue, what is found on disk, coverage, and the wobbly writing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from templateocr.synth.handwriting import (
    HAND_FONTS,
    HandFont,
    available_hand_fonts,
    covers,
    draw_handwriting,
    hand_font_path,
    load_hand_font,
    missing_packages,
)

LANGS = ("ko", "ja", "zh-TW", "en")
SAMPLES = {
    "ko": "김민준 서울특별시",
    "ja": "山田 太郎 東京都",
    "zh-TW": "王小明 臺北市信義區",
    "en": "John Smith 12/24",
}


def _fonts(lang: str) -> list[HandFont]:
    fonts = list(available_hand_fonts(lang))
    if not fonts:
        packages = sorted({f.package for f in HAND_FONTS if lang in f.langs})
        pytest.skip(f"no handwriting font for {lang}; install {' '.join(packages)}")
    return fonts


def test_catalogue_names_a_free_debian_package_for_every_language() -> None:
    for lang in LANGS:
        assert any(lang in f.langs for f in HAND_FONTS), lang
    for font in HAND_FONTS:
        assert font.package.startswith("fonts-")
        assert font.licence in {"OFL-1.0", "OFL-1.1", "GPL-2+", "GPL-3+", "Arphic-1999"}
    assert set(missing_packages()) <= {f.package for f in HAND_FONTS}


@pytest.mark.parametrize("lang", LANGS)
def test_installed_fonts_cover_their_script(lang: str) -> None:
    for font in _fonts(lang):
        assert hand_font_path(font) is not None
        assert covers(font, SAMPLES[lang]), font
        if lang != "en":
            assert not covers(font, "\U0001f600\U0010fffd"), font


def test_latin_handwriting_has_no_hangul() -> None:
    for font in _fonts("en"):
        assert not covers(font, "한글"), font


def test_ukai_picks_the_traditional_face() -> None:
    ukai = next(f for f in HAND_FONTS if f.face == "TW")
    if hand_font_path(ukai) is None:
        pytest.skip(f"install {ukai.package}")
    family, _ = load_hand_font(ukai, 20).getname()
    assert family is not None and family.endswith("TW")


@pytest.mark.parametrize("lang", LANGS)
def test_draws_ink_of_the_pen_colour_where_it_says(lang: str) -> None:
    font = _fonts(lang)[0]
    image = Image.new("RGB", (700, 120), "white")
    left, top, right, bottom = draw_handwriting(
        image, (40, 80), SAMPLES[lang], font, 40, ink=(20, 40, 170), seed=3
    )
    pixels = np.asarray(image).astype(int)
    inked = (pixels.sum(axis=2) < 500).nonzero()
    assert len(inked[0]) > 300
    assert inked[1].min() >= left - 1 and inked[1].max() <= right + 1
    assert inked[0].min() >= top - 1 and inked[0].max() <= bottom + 1
    assert 25 <= left <= 60 and bottom >= 70 and top >= 10
    dark = pixels[inked]
    assert (dark[:, 2] > dark[:, 0] + 40).mean() > 0.9  # blue ink stays blue


def test_same_seed_same_writing_other_seed_other_hand() -> None:
    font = _fonts("en")[0]

    def write(seed: int) -> np.ndarray:
        image = Image.new("RGB", (600, 100), "white")
        draw_handwriting(image, (30, 70), "Emily Johnson", font, 36, ink=(0, 0, 0), seed=seed)
        return np.asarray(image)

    assert np.array_equal(write(1), write(1))
    assert not np.array_equal(write(1), write(2))
    steady = Image.new("RGB", (600, 100), "white")
    draw_handwriting(steady, (30, 70), "", font, 36, ink=(0, 0, 0), seed=1)
    assert np.asarray(steady).min() == 255
