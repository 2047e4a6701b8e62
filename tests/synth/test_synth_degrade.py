"""Fax, stamps, signatures, shadows and pen inks, checked on real pixels."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from templateocr.geometry import apply_homography
from templateocr.synth.degrade import (
    BLACK_INK,
    BLUE_INK,
    cast_shadow,
    draw_signature,
    draw_stamp,
    fax,
    pen_ink,
)


def _page_with_dots() -> tuple[np.ndarray, list[tuple[int, int]]]:
    page = np.full((600, 450, 3), 255, np.uint8)
    dots = [(60, 80), (390, 70), (220, 300), (80, 520), (400, 540)]
    for x, y in dots:
        page[y - 4 : y + 5, x - 4 : x + 5] = 0
    page[200:210, 100:300] = (120, 160, 230)  # light blue: gone in a fax
    return page, dots


def test_fax_is_100_dpi_black_and_white_with_true_geometry() -> None:
    page, dots = _page_with_dots()
    sent = fax(page, seed=4, speckle=0.0)
    assert sent.image.shape == (400, 300, 3)
    assert set(np.unique(sent.image)) <= {0, 255}
    for x, y in dots:
        fx, fy = apply_homography(sent.homography, np.array([[x, y]], float))[0]
        assert sent.image[round(fy), round(fx), 0] == 0, (x, y, fx, fy)
    corners = apply_homography(sent.homography, np.array([[0.0, 0.0], [450.0, 600.0]]))
    assert np.allclose(np.abs(corners[1] - corners[0]), (300, 400), atol=12)


def test_fax_speckle_is_seeded() -> None:
    page, _ = _page_with_dots()
    a, b, c = fax(page, seed=1), fax(page, seed=1), fax(page, seed=2)
    assert np.array_equal(a.image, b.image) and not np.array_equal(a.image, c.image)
    clean = fax(page, seed=1, speckle=0.0)
    assert (a.image[:, :, 0] == 0).sum() > (clean.image[:, :, 0] == 0).sum()


def test_pen_ink_is_black_or_blue() -> None:
    rng = random.Random(0)
    inks = [pen_ink(rng) for _ in range(200)]
    blue = [ink for ink in inks if ink[2] > 100]
    assert 40 < len(blue) < 120
    for ink in inks:
        ref = BLUE_INK if ink[2] > 100 else BLACK_INK
        assert max(abs(a - b) for a, b in zip(ink, ref, strict=True)) <= 15


def test_stamp_is_red_and_round_around_its_centre() -> None:
    image = Image.new("RGB", (400, 300), "white")
    draw_stamp(image, (200, 150), 60, "印", "ja", seed=2)
    pixels = np.asarray(image).astype(int)
    red = (pixels[:, :, 0] > 150) & (pixels[:, :, 1] < 150)
    ys, xs = red.nonzero()
    assert red.sum() > 500
    distance = np.hypot(xs - 200, ys - 150)
    assert distance.max() <= 66 and abs(np.median(xs) - 200) < 20


def test_stamp_over_print_keeps_the_print_dark() -> None:
    image = Image.new("RGB", (200, 200), "white")
    image.paste((0, 0, 0), (20, 95, 180, 105))
    draw_stamp(image, (100, 100), 50, "OK", "en", seed=1)
    assert np.asarray(image)[97:103, 25:175].max() < 40  # ink multiplies, it does not paint over


def test_signature_scribbles_inside_its_box() -> None:
    image = Image.new("RGB", (500, 200), "white")
    draw_signature(image, (100, 50, 400, 150), seed=5)
    ys, xs = (np.asarray(image).sum(axis=2) < 600).nonzero()
    assert len(xs) > 400
    assert xs.min() >= 80 and xs.max() <= 440 and ys.min() >= 30 and ys.max() <= 170
    assert xs.max() - xs.min() > 250


def test_shadow_darkens_one_side_softly() -> None:
    page = np.full((300, 400, 3), 200, np.uint8)
    shaded = cast_shadow(page, seed=3)
    assert shaded.shape == page.shape and shaded.dtype == np.uint8
    assert (shaded <= page).all()
    assert shaded.min() < 140 and shaded.max() >= 198
    assert np.array_equal(shaded, cast_shadow(page, seed=3))
