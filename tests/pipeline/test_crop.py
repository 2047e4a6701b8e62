from __future__ import annotations

import cv2
import numpy as np

from templateocr.geometry import apply_homography, rect_quad
from templateocr.pipeline.crop import cut_out, local_scale


def test_cut_out_undoes_rotation_and_scale() -> None:
    template = np.full((300, 400, 3), 255, np.uint8)
    cv2.rectangle(template, (100, 100), (200, 150), (0, 0, 0), -1)
    angle, scale = 12.0, 1.5
    matrix = cv2.getRotationMatrix2D((200, 150), angle, scale)
    matrix[:, 2] += (150, 100)
    homography = np.vstack([matrix, [0, 0, 1]])
    page = cv2.warpPerspective(template, homography, (700, 500), borderValue=(255, 255, 255))
    area = rect_quad(90, 90, 210, 160)
    crop = cut_out(page, homography, area)
    assert abs(crop.scale - 1.5) < 0.01
    assert crop.image.shape[:2] == (105, 180)
    gray = cv2.cvtColor(crop.image, cv2.COLOR_RGB2GRAY)
    dark = np.argwhere(gray < 128)
    top, left = dark.min(axis=0)
    bottom, right = dark.max(axis=0)
    # the black rectangle (100..200, 100..150) lands at (10..110, 10..60) * 1.5 in the crop
    assert abs(left - 15) <= 2 and abs(top - 15) <= 2
    assert abs(right - 165) <= 2 and abs(bottom - 90) <= 2
    back = apply_homography(homography, crop.box_to_template((15, 15, 165, 90)))
    expected = apply_homography(homography, rect_quad(100, 100, 200, 150))
    assert np.abs(back - expected).max() < 2.0


def test_local_scale_of_identity_and_zoom() -> None:
    assert abs(local_scale(np.eye(3), (10, 10)) - 1.0) < 1e-9
    assert abs(local_scale(np.diag([3.0, 3.0, 1.0]), (10, 10)) - 3.0) < 1e-9
