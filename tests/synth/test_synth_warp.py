"""Warps: the ground-truth homography maps marks to where they land in the warped image."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from templateocr.geometry import apply_homography
from templateocr.synth import Warp, build_form, warp, warp_photo, warp_scan

MARKERS = np.array([[150.0, 160.0], [1090.0, 200.0], [620.0, 877.0], [200.0, 1600.0], [1180.0, 1700.0]])


def _marked_page() -> np.ndarray:
    page = build_form("en", "invoice").image
    for x, y in MARKERS:
        page[int(y) - 14 : int(y) + 15, int(x) - 14 : int(x) + 15] = (230, 0, 0)
    return page


def _assert_markers_land(result: Warp) -> None:
    assert result.homography.shape == (3, 3) and result.homography.dtype == np.float64
    height, width = result.image.shape[:2]
    for x, y in apply_homography(result.homography, MARKERS):
        assert 0 <= x < width and 0 <= y < height
        r, g, b = result.image[round(y), round(x)].astype(int)
        assert r > g + 50 and r > b + 50, f"no red at ({x:.0f}, {y:.0f}): {(r, g, b)}"
        left, top = max(0, round(x) - 40), max(0, round(y) - 40)
        window = result.image[top : round(y) + 41, left : round(x) + 41].astype(int)
        red = (window[:, :, 0] > window[:, :, 1] + 50) & (window[:, :, 0] > window[:, :, 2] + 50)
        ys, xs = np.nonzero(red)
        assert abs(xs.mean() + left - x) < 1.0 and abs(ys.mean() + top - y) < 1.0, "marker centre is off"


WARPS: dict[str, Callable[[np.ndarray], Warp]] = {
    "explicit": lambda p: warp(p, rotation=5, shift=(20, -15), scale=0.9, perspective=0.04, seed=1),
    "explicit-out": lambda p: warp(p, rotation=-90, out_size=(1754, 1240)),
    "scan": lambda p: warp_scan(p, seed=2),
    "photo": lambda p: warp_photo(p, seed=3),
    "photo-flat": lambda p: warp_photo(p, seed=4, background=False, jpeg_quality=None),
}


@pytest.mark.parametrize("name", list(WARPS))
def test_markers_land_where_the_homography_says(name: str) -> None:
    _assert_markers_land(WARPS[name](_marked_page()))


def test_identity_warp_changes_nothing() -> None:
    page = _marked_page()
    result = warp(page)
    assert np.allclose(result.homography, np.eye(3))
    assert np.array_equal(result.image, page)


def test_explicit_rotation_turns_clockwise() -> None:
    result = warp(np.full((100, 200, 3), 255, np.uint8), rotation=90, out_size=(100, 200))
    ((x, y),) = apply_homography(result.homography, np.array([[200.0, 50.0]]))
    assert (x, y) == pytest.approx((50.0, 200.0))


def test_photo_puts_whole_page_on_a_darker_larger_background() -> None:
    page = build_form("ko", "application").image
    result = warp_photo(page, seed=7)
    height, width = result.image.shape[:2]
    assert width > page.shape[1] and height > page.shape[0]
    corners = np.array([[0, 0], [1240, 0], [1240, 1754], [0, 1754]], dtype=np.float64)
    mapped = apply_homography(result.homography, corners)
    assert mapped.min() >= 0 and mapped[:, 0].max() <= width and mapped[:, 1].max() <= height
    border = np.concatenate([result.image[:20].reshape(-1, 3), result.image[-20:].reshape(-1, 3)])
    centre = apply_homography(result.homography, np.array([[620.0, 1300.0]]))[0]
    paper = result.image[
        round(centre[1]) - 10 : round(centre[1]) + 10, round(centre[0]) - 10 : round(centre[0]) + 10
    ]
    assert border.mean() + 60 < paper.mean()
    assert not np.allclose(result.homography[2, :2], 0), "perspective, not just affine"


def test_scan_keeps_the_page_size_and_adds_noise() -> None:
    page = build_form("ja", "registration").image
    result = warp_scan(page, seed=1, max_rotation=0, max_shift=0, scale_range=(1, 1))
    assert result.image.shape == page.shape
    assert np.allclose(result.homography, np.eye(3))
    diff = result.image.astype(int) - page
    assert 1 < diff.std() < 10


@pytest.mark.parametrize("fn", [warp_scan, warp_photo])
def test_deterministic_per_seed(fn: Callable[..., Warp]) -> None:
    page = build_form("zh-TW", "invoice", width=620, height=877).image
    a, b, c = fn(page, seed=11), fn(page, seed=11), fn(page, seed=12)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.homography, b.homography)
    assert not np.allclose(a.homography, c.homography)
