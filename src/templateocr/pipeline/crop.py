"""Cutting a template area out of a page, upright and at the template's scale.

The page is warped back into the template frame over the area's bounding box only, so a
rotated or photographed page gives the engine the same upright crop a clean scan would.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.geometry import Homography, Quad, apply_homography, bbox_of, rect_quad
from templateocr.models.page import Image

__all__ = ["Crop", "cut_out", "local_scale", "reach_area"]

MAX_CROP_SCALE = 2.0

REACH = 0.35
REACH_PX = 24.0
"""A text field is cut out this share of its height (at most ``REACH_PX`` template px) beyond
its area on every side, so that a value crossing the area's edge can be read whole."""


@dataclass(frozen=True, eq=False)
class Crop:
    """An upright crop. Crop pixel ``(u, v)`` is template point ``origin + (u, v) / scale``."""

    image: Image
    origin: tuple[float, float]
    scale: float

    def to_template(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map crop pixel coordinates to template coordinates."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return np.asarray(pts / self.scale + np.asarray(self.origin), dtype=np.float64)

    def box_to_template(self, box: tuple[float, float, float, float]) -> Quad:
        """A ``(left, top, right, bottom)`` crop box as a template-frame quad."""
        return self.to_template(rect_quad(*box))


def local_scale(homography: Homography, point: tuple[float, float]) -> float:
    """How many page pixels one template pixel spans near ``point`` (geometric mean of axes)."""
    x, y = point
    pts = apply_homography(homography, np.array([[x, y], [x + 1.0, y], [x, y + 1.0]]))
    dx = float(np.linalg.norm(pts[1] - pts[0]))
    dy = float(np.linalg.norm(pts[2] - pts[0]))
    return float(np.sqrt(max(dx * dy, 1e-12)))


def reach_area(area: Quad, times: float = 1.0) -> tuple[Quad, float]:
    """The rectangle a text field is cut out with (its area and a margin on every side, the
    usual one ``times`` over), and the margin in template px."""
    left, top, right, bottom = bbox_of(area)
    margin = times * min(REACH_PX, REACH * (bottom - top))
    return rect_quad(left - margin, top - margin, right + margin, bottom + margin), margin


def cut_out(
    page: Image,
    homography: Homography,
    area: Quad,
    *,
    pad: float = 0.0,
    scale: float | None = None,
) -> Crop:
    """Warp the page region that ``area`` (template px) maps to into an upright crop.

    ``scale`` defaults to the page's own resolution at that place (a high-resolution photo is
    not thrown away), between 1 and ``MAX_CROP_SCALE``. Outside a non-rectangular area the
    crop is white.
    """
    left, top, right, bottom = bbox_of(area)
    left, top, right, bottom = left - pad, top - pad, right + pad, bottom + pad
    if scale is None:
        centre = ((left + right) / 2.0, (top + bottom) / 2.0)
        scale = float(np.clip(local_scale(homography, centre), 1.0, MAX_CROP_SCALE))
    width = max(1, round((right - left) * scale))
    height = max(1, round((bottom - top) * scale))
    crop_to_template = np.array(
        [[1.0 / scale, 0.0, left], [0.0, 1.0 / scale, top], [0.0, 0.0, 1.0]], dtype=np.float64
    )
    crop_to_page = np.asarray(homography, dtype=np.float64) @ crop_to_template
    warped = cv2.warpPerspective(
        page,
        crop_to_page,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    if not _is_axis_rect(area):
        mask = np.zeros((height, width), dtype=np.uint8)
        corners = (np.asarray(area) - np.array([left, top])) * scale
        cv2.fillConvexPoly(mask, np.round(corners).astype(np.int32), 255)
        warped[mask == 0] = 255
    return Crop(image=np.ascontiguousarray(warped, dtype=np.uint8), origin=(left, top), scale=scale)


def _is_axis_rect(quad: Quad) -> bool:
    left, top, right, bottom = bbox_of(quad)
    return bool(np.allclose(np.asarray(quad), rect_quad(left, top, right, bottom), atol=0.5))
