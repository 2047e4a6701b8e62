"""Local features: coordinates in the original image, spread, contrast and blur handling, ignore areas."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from test_align import Shot, render_form, warp_page

import templateocr.pipeline.features as features_module
from templateocr.pipeline.features import (
    DEFAULT_MAX_FEATURES,
    Features,
    add_coarse_scale,
    extract_features,
    to_original,
    to_working,
)


def test_working_image_and_scale() -> None:
    form = render_form("ko")
    features = extract_features(form.image, max_side=1000)
    assert (features.width, features.height) == (1240, 1754)
    assert max(features.gray.shape) == 1000
    assert features.gray.dtype == np.uint8
    assert features.scale == pytest.approx(1000 / 1754)
    assert features.gray.shape[1] == pytest.approx(1240 * features.scale, abs=1)
    assert features.keypoints.dtype == np.float32 and features.keypoints.shape[1] == 2
    assert features.descriptors.dtype == np.uint8 and features.descriptors.shape == (
        len(features.keypoints),
        32,
    )
    assert 1000 < len(features.keypoints) <= DEFAULT_MAX_FEATURES
    # keypoints lie in the original image
    assert features.keypoints[:, 0].min() >= 0 and features.keypoints[:, 0].max() < 1240
    assert features.keypoints[:, 1].min() >= 0 and features.keypoints[:, 1].max() < 1754


def test_small_images_are_not_upscaled_and_gray_is_accepted() -> None:
    small = np.asarray(
        cv2.resize(render_form("en").image, (620, 877), interpolation=cv2.INTER_AREA), np.uint8
    )
    features = extract_features(small)
    assert features.scale == 1.0 and features.gray.shape == (877, 620)
    gray = extract_features(np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), np.uint8))
    assert np.array_equal(gray.keypoints, features.keypoints)
    with pytest.raises(ValueError):
        extract_features(np.zeros((10, 10, 3), dtype=np.uint8))


def test_keypoints_are_in_original_coordinates() -> None:
    """The same page at twice the size: matched keypoints sit at twice the coordinates."""
    image = render_form("ja", fill=1).image
    half = np.asarray(cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), np.uint8)
    big, small = extract_features(image), extract_features(half)
    assert big.scale != small.scale
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(small.descriptors, big.descriptors)
    good = [m for m in matches if m.distance < 30]
    assert len(good) > 100
    src = small.keypoints[[m.queryIdx for m in good]].astype(np.float64)
    dst = big.keypoints[[m.trainIdx for m in good]].astype(np.float64)
    offsets = dst - (2 * src + 0.5)  # pixel centres: x_big = 2 x_half + 0.5
    assert np.abs(np.median(offsets, axis=0)).max() < 1.0


def test_working_coordinates_round_trip() -> None:
    points = np.array([[0.0, 0.0], [100.5, 20.25], [1239.0, 1753.0]])
    assert np.allclose(to_original(to_working(points, 0.37), 0.37), points)
    assert np.allclose(to_working(np.array([[0.5, 0.5]]), 0.5), [[0.0, 0.0]])


def test_keypoints_are_spread_over_the_page() -> None:
    features = extract_features(render_form("ko", fill=4).image)
    cells = np.floor(features.keypoints / [1240 / 4, 1754 / 6]).astype(int)
    counts = np.bincount(cells[:, 1] * 4 + cells[:, 0], minlength=24)
    # the print spreads over most of the page; no cell takes a third of the keypoints
    assert (counts > 0).sum() >= 16
    assert counts.max() < len(features.keypoints) / 3


def test_uneven_light_keeps_keypoints() -> None:
    """CLAHE: a page darkened to a third of its brightness on one side still has features there."""
    image = render_form("zh-TW", fill=2).image
    gain = np.linspace(1.0, 0.3, image.shape[1], dtype=np.float32)[None, :, None]
    dark = (image * gain).astype(np.uint8)
    lit, shaded = extract_features(image), extract_features(dark)

    def right(features: Features) -> int:
        return int((features.keypoints[:, 0] > 900).sum())

    assert right(lit) > 50
    assert right(shaded) > 0.5 * right(lit)


def test_blurred_pages_are_worked_on_smaller() -> None:
    image = render_form("ko", fill=1).image
    sharp = extract_features(image)
    blurred = extract_features(np.asarray(cv2.GaussianBlur(image, (0, 0), 3.0), np.uint8))
    assert max(sharp.gray.shape) == 1280
    assert blurred.scale < 0.75 * sharp.scale
    assert max(blurred.gray.shape) >= 640


def test_ignored_areas_get_no_keypoints_and_are_painted_over() -> None:
    filled = render_form("ko", fill=3)
    features = extract_features(filled.image, ignore=filled.quads())
    value_box = filled.boxes[1]  # the second row's value box, full of filled-in text
    left, top, right, bottom = value_box
    inside = (
        (features.keypoints[:, 0] > left + 6)
        & (features.keypoints[:, 0] < right - 6)
        & (features.keypoints[:, 1] > top + 6)
        & (features.keypoints[:, 1] < bottom - 6)
    )
    assert not inside.any()
    s = features.scale
    region = features.gray[
        round(top * s) + 4 : round(bottom * s) - 4, round(left * s) + 4 : round(right * s) - 4
    ]
    assert region.std() < 3.0  # the values are gone
    plain = extract_features(filled.image)
    region = plain.gray[
        round(top * s) + 4 : round(bottom * s) - 4, round(left * s) + 4 : round(right * s) - 4
    ]
    assert region.std() > 20.0


def test_coarse_scale_adds_keypoints_only() -> None:
    features = extract_features(render_form("en").image)
    both = add_coarse_scale(features)
    assert len(both.keypoints) > len(features.keypoints)
    assert np.array_equal(both.keypoints[: len(features.keypoints)], features.keypoints)
    assert both.gray is features.gray and both.scale == features.scale
    assert both.keypoints[:, 0].max() < 1240 and both.keypoints[:, 1].max() < 1754


def test_extraction_is_deterministic() -> None:
    page, _ = warp_page(render_form("ko", fill=1).image, Shot(angle=7, scale=0.8, noise=5, jpeg=50, seed=3))
    first, second = extract_features(page), extract_features(page)
    assert np.array_equal(first.keypoints, second.keypoints)
    assert np.array_equal(first.descriptors, second.descriptors)
    assert np.array_equal(first.gray, second.gray)


def _bucket_reference(keypoints: list, shape: tuple[int, int], limit: int) -> list:  # type: ignore[type-arg]
    """The rule ``_bucket`` implements, one keypoint at a time: per level its share of ``limit``,
    strongest first, at most ``per_cell`` per grid cell."""
    import math

    if len(keypoints) <= limit:
        return list(keypoints)
    height, width = shape
    levels = sorted({kp.octave for kp in keypoints})
    kept = []
    for level in levels:
        group = sorted((kp for kp in keypoints if kp.octave == level), key=lambda k: -k.response)
        quota = max(1, round(len(group) * limit / len(keypoints)))
        cell = max(height, width) / features_module._GRID * (1.2 ** (level / 2))
        cols, rows = math.ceil(width / cell), math.ceil(height / cell)
        per_cell = max(2, math.ceil(features_module._CELL_SHARE * quota / (rows * cols)))
        counts: dict[int, int] = {}
        chosen = []
        for kp in group:
            key = int(kp.pt[1] // cell) * cols + int(kp.pt[0] // cell)
            if counts.get(key, 0) < per_cell:
                counts[key] = counts.get(key, 0) + 1
                chosen.append(kp)
                if len(chosen) == quota:
                    break
        kept.extend(chosen)
    return kept


def test_bucketing_keeps_the_strongest_per_cell_and_level() -> None:
    rng = np.random.default_rng(4)
    keypoints = [
        cv2.KeyPoint(
            float(rng.uniform(0, 900)) if i % 3 else float(rng.uniform(0, 120)),  # a dense corner
            float(rng.uniform(0, 1200)),
            31.0,
            -1,
            float(rng.integers(1, 50)),  # ties in response too
            int(rng.integers(0, 8)),
        )
        for i in range(5000)
    ]
    for limit in (300, 1500, 4999):
        got = features_module._bucket(keypoints, (1200, 900), limit)
        assert [id(k) for k in got] == [id(k) for k in _bucket_reference(keypoints, (1200, 900), limit)]
    assert features_module._bucket(keypoints[:10], (1200, 900), 300) == keypoints[:10]
