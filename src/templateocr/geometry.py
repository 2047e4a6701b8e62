"""Plane geometry on quadrilaterals and homographies, in pure numpy.

A ``Quad`` is a ``(4, 2)`` float64 array of corners, clockwise from top-left in image
coordinates (x right, y down). A homography ``H`` is a ``(3, 3)`` float64 array that maps
template (sample) pixels to page pixels: ``page ~ H @ [x, y, 1]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Homography",
    "Quad",
    "apply_homography",
    "bbox_of",
    "is_convex",
    "quad_from_points",
    "quad_inside",
    "quads_hull",
    "rect_quad",
]

Quad = NDArray[np.float64]
Homography = NDArray[np.float64]


def quad_from_points(points: Iterable[Sequence[float]]) -> Quad:
    """Build a quad from four ``(x, y)`` points."""
    quad = np.asarray([[float(x), float(y)] for x, y in points], dtype=np.float64)
    if quad.shape != (4, 2):
        raise ValueError("a quad has exactly four points")
    return quad


def rect_quad(left: float, top: float, right: float, bottom: float) -> Quad:
    """The axis-aligned rectangle as a quad, clockwise from top-left."""
    return quad_from_points([(left, top), (right, top), (right, bottom), (left, bottom)])


MAX_COORDINATE = 1e7
"""No page or sample is wider or taller than this many pixels."""


def is_convex(quad: Quad, *, min_area: float = 1.0) -> bool:
    """True when the corners form a convex, non-degenerate quadrilateral (either winding).

    Coordinates beyond :data:`MAX_COORDINATE` (no image is that large) are refused before any
    arithmetic that could overflow.
    """
    if not np.all(np.isfinite(quad)) or float(np.abs(quad).max()) > MAX_COORDINATE:
        return False
    crosses = []
    for i in range(4):
        a, b, c = quad[i], quad[(i + 1) % 4], quad[(i + 2) % 4]
        crosses.append((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]))
    signs = np.sign(crosses)
    if np.any(signs == 0) or not (np.all(signs > 0) or np.all(signs < 0)):
        return False
    x, y = quad[:, 0], quad[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return area >= min_area


def quad_inside(quad: Quad, width: float, height: float, *, tolerance: float = 1.0) -> bool:
    """True when every corner lies in the ``width`` x ``height`` image (with a small tolerance)."""
    xs, ys = quad[:, 0], quad[:, 1]
    return bool(
        xs.min() >= -tolerance
        and ys.min() >= -tolerance
        and xs.max() <= width + tolerance
        and ys.max() <= height + tolerance
    )


def bbox_of(points: NDArray[np.float64]) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` of any set of points."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def quads_hull(quads: Sequence[Quad]) -> Quad:
    """The axis-aligned rectangle around several quads."""
    return rect_quad(*bbox_of(np.concatenate([np.asarray(q) for q in quads])))


def apply_homography(homography: Homography, points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Map ``(N, 2)`` points through a homography."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ones = np.ones((pts.shape[0], 1))
    mapped = np.hstack([pts, ones]) @ np.asarray(homography, dtype=np.float64).T
    return mapped[:, :2] / mapped[:, 2:3]
