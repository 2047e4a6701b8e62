"""Local features of a page or a sample: ORB keypoints and binary descriptors.

Features are computed on a *working* image: the grayscale image scaled down so that its long
side is at most ``max_side`` pixels (smaller still when it is blurred, down to ``_MIN_SIDE``,
because FAST corners and BRIEF descriptors need sharp edges), its light evened out (divided by
the local paper brightness, then CLAHE) for shadows, grey scans and dark photos. Keypoints are
kept by pyramid level and spread over a grid, and reported in the ORIGINAL image's pixel
coordinates; the working image is kept for refinement and verification (``align.py``).

ORB was chosen over SIFT by measuring both on synthetic scans and phone photos of forms: at a
1280 px working size both give a homography within about a pixel before refinement (which
brings either below half a pixel), while SIFT costs 160-240 ms a page on 2 cores against ORB's
20-50 ms. Descriptors are therefore 32-byte binary strings (``uint8``, ``(N, 32)``), compared
with the Hamming distance.

A filled sample should be extracted with its field areas as ``ignore``: its values are not in
the copies, and left in they lower every copy's score (``classify.DEFAULT_THRESHOLD``).

Coordinates follow the pixel-centre convention (pixel ``i`` is at coordinate ``i``): a working
point ``w`` is the original point ``(w + 0.5) / scale - 0.5``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.geometry import Quad
from templateocr.models.page import Image

__all__ = [
    "DEFAULT_MAX_FEATURES",
    "DEFAULT_MAX_SIDE",
    "Features",
    "add_coarse_scale",
    "extract_features",
    "to_original",
    "to_working",
]

DEFAULT_MAX_SIDE = 1280
DEFAULT_MAX_FEATURES = 3000

_BLUR_RATIO = 1.35  # above this (a blur of about 1 working px), the working image is made smaller
_BLUR_STEP = 0.75
_MIN_SIDE = 640  # never made smaller than this for blur
_MAX_GAIN = 4.0  # the most a shadowed region is brightened
_GRID = 8  # cells along the long side for bucketing keypoints (finest pyramid level)
_OVERSAMPLE = 2  # detect this many times more corners than kept, then bucket
_CELL_SHARE = 6.0  # a grid cell keeps at most this many times its even share of a level's quota


@dataclass(frozen=True, eq=False)
class Features:
    """Keypoints (original pixels), ORB descriptors and the working image of one image.

    Rows are ordered strongest keypoint first, so ``descriptors[:k]`` is a cheap subset.
    """

    keypoints: NDArray[np.float32]
    """``(N, 2)`` keypoint positions in the original image's pixel coordinates."""
    descriptors: NDArray[np.uint8]
    """``(N, 32)`` ORB descriptors (binary, Hamming distance)."""
    width: int
    """Original image width."""
    height: int
    """Original image height."""
    gray: NDArray[np.uint8]
    """The working-scale grayscale image, light evened out (ignored areas painted over)."""
    scale: float
    """Working scale: ``gray.shape / original shape``."""


def to_working(points: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """Map original pixel coordinates to working-image coordinates."""
    return (np.asarray(points, dtype=np.float64) + 0.5) * scale - 0.5


def to_original(points: NDArray[np.float64], scale: float) -> NDArray[np.float64]:
    """Map working-image coordinates back to original pixel coordinates."""
    return (np.asarray(points, dtype=np.float64) + 0.5) / scale - 0.5


def _resized(gray: NDArray[np.uint8], scale: float) -> NDArray[np.uint8]:
    if scale >= 1.0:
        return gray
    return np.asarray(
        cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), dtype=np.uint8
    )


def _blur_ratio(gray: NDArray[np.uint8]) -> float:
    """How much sharper the image gets at half size: ~0.95 when sharp, 1.4 at a 1.5 px blur, up to 2.

    The strongest gradients (99th percentile) of a sharp image are limited by the pixel grid,
    so halving the image does not raise them; those of a blurred image nearly double.
    """

    def strongest(image: NDArray[np.uint8]) -> float:
        gx = cv2.convertScaleAbs(cv2.Sobel(image, cv2.CV_16S, 1, 0, ksize=3), alpha=0.25)
        gy = cv2.convertScaleAbs(cv2.Sobel(image, cv2.CV_16S, 0, 1, ksize=3), alpha=0.25)
        histogram = cv2.calcHist([cv2.add(gx, gy)], [0], None, [256], [0, 256]).ravel()
        return float(np.searchsorted(np.cumsum(histogram), 0.99 * histogram.sum()))

    half = np.asarray(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    full = strongest(gray)
    return strongest(half) / full if full > 0 else 1.0


def _working_gray(image: Image, max_side: int) -> tuple[NDArray[np.uint8], float]:
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 4:
        gray = cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGBA2GRAY)
    elif arr.ndim == 3 and arr.shape[2] == 3:
        gray = cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)
    elif arr.ndim == 2:
        gray = arr
    else:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {arr.shape}")
    full = np.ascontiguousarray(gray, dtype=np.uint8)
    height, width = full.shape
    scale = min(1.0, max_side / max(height, width))
    gray = _resized(full, scale)
    # a blurred page (a shaken phone, a soft scan) is worked on smaller, where it is sharp again:
    # FAST corners and BRIEF descriptors need edges a pixel or two wide
    while _blur_ratio(gray) > _BLUR_RATIO and max(gray.shape) * _BLUR_STEP >= _MIN_SIDE:
        scale *= _BLUR_STEP
        gray = _resized(full, scale)
    return _even_out(gray), scale


def _even_out(gray: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Even out the light: divide by the local paper brightness (at most ``_MAX_GAIN`` times), then CLAHE.

    The paper is the local maximum over a window wider than any stroke, found at a quarter of the
    size. Harris scores grow with the fourth power of contrast, so without this a shadowed side
    of a page would lose every keypoint to the lit side.
    """
    height, width = gray.shape
    small = cv2.resize(gray, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    side = max(3, round(max(small.shape) / 80)) | 1
    paper = cv2.dilate(small, np.ones((side, side), np.uint8))
    paper = cv2.blur(paper, (2 * side + 1, 2 * side + 1))
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    gain = np.minimum(255.0 / np.maximum(paper.astype(np.float32), 1.0), _MAX_GAIN)
    flat = cv2.convertScaleAbs(gray.astype(np.float32) * gain)
    tiles = max(2, round(max(gray.shape) / 160))
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(tiles, tiles))
    return np.asarray(clahe.apply(flat), dtype=np.uint8)


def _paint_over(gray: NDArray[np.uint8], quads: Sequence[Quad], scale: float) -> NDArray[np.uint8]:
    """A mask of the ``quads`` (original px) on the working image; paints them with the paper around.

    Returns the mask (255 inside a quad); ``gray`` is modified in place.
    """
    mask = np.zeros(gray.shape, dtype=np.uint8)
    for quad in quads:
        corners = to_working(np.asarray(quad, dtype=np.float64).reshape(-1, 2), scale)
        one = np.zeros(gray.shape, dtype=np.uint8)
        cv2.fillPoly(one, [np.round(corners).astype(np.int32)], 255)
        ring = (cv2.dilate(one, np.ones((7, 7), np.uint8)) > 0) & (one == 0)
        around = gray[ring]
        if around.size:
            gray[one > 0] = np.uint8(np.percentile(around, 75))
        mask = np.maximum(mask, one)
    return mask


def _bucket(keypoints: Sequence[cv2.KeyPoint], shape: tuple[int, int], limit: int) -> list[cv2.KeyPoint]:
    """Keep about ``limit`` keypoints spread over a grid, per pyramid level.

    Each level keeps its share of ``limit`` (the share ORB itself gives it); within a level each
    grid cell keeps its strongest few, so print-dense areas don't take every keypoint. Harris
    responses are only compared within a level (they are not comparable across scales).
    """
    if len(keypoints) <= limit:
        return list(keypoints)
    height, width = shape
    octaves = np.array([kp.octave for kp in keypoints])
    responses = np.array([kp.response for kp in keypoints])
    points = np.array([kp.pt for kp in keypoints], dtype=np.float64).reshape(-1, 2)
    kept: list[cv2.KeyPoint] = []
    for level in np.unique(octaves):
        members = np.flatnonzero(octaves == level)
        members = members[np.argsort(-responses[members], kind="stable")]  # strongest first
        quota = max(1, round(len(members) * limit / len(keypoints)))
        cell = max(height, width) / _GRID * (1.2 ** (level / 2))
        cols = int(np.ceil(width / cell))
        rows = int(np.ceil(height / cell))
        per_cell = max(2, int(np.ceil(_CELL_SHARE * quota / (rows * cols))))
        keys = (points[members, 1] // cell).astype(np.int64) * cols + (points[members, 0] // cell).astype(
            np.int64
        )
        # each keypoint's rank among the stronger ones of its cell
        by_cell = np.lexsort((np.arange(len(keys)), keys))
        starts = np.r_[0, np.flatnonzero(np.diff(keys[by_cell])) + 1]
        first = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
        rank = np.empty(len(keys), dtype=np.int64)
        rank[by_cell] = np.arange(len(keys)) - first
        chosen = members[rank < per_cell][:quota]
        kept.extend(keypoints[i] for i in chosen)
    return kept


def _orb(limit: int) -> cv2.ORB:
    return cv2.ORB.create(
        nfeatures=limit * _OVERSAMPLE,
        scaleFactor=1.2,
        nlevels=8,
        edgeThreshold=31,
        patchSize=31,
        fastThreshold=12,
    )


def _detect(
    gray: NDArray[np.uint8], limit: int, mask: NDArray[np.uint8] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    """ORB keypoints (``gray`` pixel coordinates) and descriptors, in stratified strength order.

    The order interleaves pyramid levels by their within-level rank, so that any prefix is a
    fair sample of the strongest keypoints of every scale.
    """
    orb = _orb(limit)
    kept = _bucket(orb.detect(gray, mask), gray.shape, limit)
    if not kept:
        return np.zeros((0, 2)), np.zeros((0, 32), dtype=np.uint8)
    kps, desc = orb.compute(gray, kept)
    if desc is None or len(kps) == 0:
        return np.zeros((0, 2)), np.zeros((0, 32), dtype=np.uint8)
    octaves = np.array([kp.octave for kp in kps])
    strongest = np.argsort(-np.array([kp.response for kp in kps]), kind="stable")
    share = np.empty(len(kps))  # position within its level, strongest first, as a share of the level
    for level in np.unique(octaves):
        members = strongest[octaves[strongest] == level]
        share[members] = np.arange(len(members)) / len(members)
    order = np.lexsort((octaves, share))
    points = np.array([kp.pt for kp in kps], dtype=np.float64).reshape(-1, 2)[order]
    return points, np.ascontiguousarray(np.asarray(desc, dtype=np.uint8)[order])


def extract_features(
    image: Image,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    max_features: int = DEFAULT_MAX_FEATURES,
    ignore: Sequence[Quad] = (),
) -> Features:
    """Compute ORB features of an RGB image on a downscaled, contrast-normalised working copy.

    Args:
        image: RGB ``uint8`` array ``(H, W, 3)`` (grayscale ``(H, W)`` is accepted too).
        max_side: the working image's long side (images are never upscaled).
        max_features: the most keypoints kept, spread over the page by a grid.
        ignore: quads (original px) whose content is not part of the form, e.g. a filled
            sample's field areas: they get no keypoints and are painted over in ``gray`` with
            the surrounding paper, so that alignment and verification only compare print.

    Returns:
        The features, keypoints in original pixel coordinates, strongest first.
    """
    arr = np.asarray(image)
    if arr.ndim < 2 or arr.shape[0] < 16 or arr.shape[1] < 16:
        raise ValueError(f"image too small for features: shape {arr.shape}")
    height, width = int(arr.shape[0]), int(arr.shape[1])
    gray, scale = _working_gray(arr, max_side)
    mask: NDArray[np.uint8] | None = None
    if ignore:
        painted = _paint_over(gray, ignore, scale)
        mask = np.where(cv2.dilate(painted, np.ones((9, 9), np.uint8)) > 0, 0, 255).astype(np.uint8)
    working, descriptors = _detect(gray, max_features, mask)
    return Features(
        keypoints=to_original(working, scale).astype(np.float32),
        descriptors=descriptors,
        width=width,
        height=height,
        gray=gray,
        scale=float(scale),
    )


def add_coarse_scale(features: Features, *, factor: float = 0.5, max_features: int = 1500) -> Features:
    """The same features plus ORB keypoints of a ``factor``-sized copy of the working image.

    Used on a template's sample: a page photographed small (the page a third of the frame,
    or an 800 px photo) then still finds sample keypoints of its own scale. ``gray`` and
    ``scale`` are unchanged.
    """
    small = cv2.resize(features.gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    if min(small.shape) < 64:
        return features
    working, descriptors = _detect(np.asarray(small, dtype=np.uint8), max_features)
    if len(working) == 0:
        return features
    return Features(
        keypoints=np.concatenate(
            [features.keypoints, to_original(working, features.scale * factor).astype(np.float32)]
        ),
        descriptors=np.concatenate([features.descriptors, descriptors]),
        width=features.width,
        height=features.height,
        gray=features.gray,
        scale=features.scale,
    )
