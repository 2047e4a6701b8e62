"""Warp a page like a scanner or a phone camera would, with the ground-truth homography.

Every function returns a :class:`Warp`: the new image and the 3x3 homography that maps pixels of
the original page to pixels of the new image (``templateocr.geometry`` convention). Blur, noise,
lighting and JPEG compression change pixels but not geometry. Everything is deterministic from
``seed``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from templateocr.geometry import apply_homography
from templateocr.models.page import Image as PageImage

__all__ = ["Warp", "warp", "warp_photo", "warp_scan"]

Matrix = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Warp:
    """A warped image and the homography from original-page pixels to its pixels."""

    image: PageImage
    homography: Matrix


def _translation(tx: float, ty: float) -> Matrix:
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def _rotation_scale(degrees: float, scale: float) -> Matrix:
    a = math.radians(degrees)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _perspective(width: int, height: int, amount: float, rng: np.random.Generator) -> Matrix:
    """A homography moving each corner of a centred ``width`` x ``height`` rectangle by up to ``amount``."""
    hw, hh = width / 2, height / 2
    src = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], dtype=np.float32)
    jitter = rng.uniform(-amount, amount, size=(4, 2)) * np.array([width, height])
    dst = (src + jitter).astype(np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, dst), dtype=np.float64)


def _homography(
    size: tuple[int, int],
    out_size: tuple[int, int],
    *,
    rotation: float,
    shift: tuple[float, float],
    scale: float,
    perspective: float,
    rng: np.random.Generator,
) -> Matrix:
    width, height = size
    out_w, out_h = out_size
    matrix = _translation(-width / 2, -height / 2)
    if perspective:
        matrix = _perspective(width, height, perspective, rng) @ matrix
    matrix = _rotation_scale(rotation, scale) @ matrix
    matrix = _translation(out_w / 2 + shift[0], out_h / 2 + shift[1]) @ matrix
    return np.asarray(matrix / matrix[2, 2], dtype=np.float64)


def _warp_pixels(image: PageImage, matrix: Matrix, out_size: tuple[int, int], border: int) -> PageImage:
    return np.asarray(
        cv2.warpPerspective(
            np.ascontiguousarray(image),
            matrix,
            out_size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(border, border, border),
        ),
        dtype=np.uint8,
    )


def _size(image: PageImage) -> tuple[int, int]:
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB (H, W, 3) image, got shape {image.shape}")
    return int(image.shape[1]), int(image.shape[0])


def warp(
    image: PageImage,
    *,
    rotation: float = 0,
    shift: tuple[float, float] = (0, 0),
    scale: float = 1.0,
    perspective: float = 0,
    seed: int = 0,
    out_size: tuple[int, int] | None = None,
) -> Warp:
    """Warp with explicit parameters onto a white page.

    Args:
        image: the page.
        rotation: degrees, positive turns clockwise on screen.
        shift: pixels the page centre moves from the output centre.
        scale: size factor.
        perspective: how far each corner may move, as a share of the page size (directions from ``seed``).
        seed: picks the perspective directions.
        out_size: ``(width, height)`` of the result; the page's own size by default.
    """
    size = _size(image)
    out = out_size or size
    matrix = _homography(
        size,
        out,
        rotation=rotation,
        shift=shift,
        scale=scale,
        perspective=perspective,
        rng=np.random.default_rng(seed),
    )
    return Warp(_warp_pixels(image, matrix, out, 255), matrix)


def warp_scan(
    image: PageImage,
    *,
    seed: int,
    max_rotation: float = 3.0,
    max_shift: float = 30,
    scale_range: tuple[float, float] = (0.9, 1.1),
    noise: float = 4.0,
) -> Warp:
    """A flatbed scan: a small random rotation, shift and scale on white, plus sensor noise."""
    rng = np.random.default_rng(seed)
    size = _size(image)
    matrix = _homography(
        size,
        size,
        rotation=float(rng.uniform(-max_rotation, max_rotation)),
        shift=(float(rng.uniform(-max_shift, max_shift)), float(rng.uniform(-max_shift, max_shift))),
        scale=float(rng.uniform(*scale_range)),
        perspective=0,
        rng=rng,
    )
    warped = _warp_pixels(image, matrix, size, 255).astype(np.float32)
    warped *= np.float32(rng.uniform(0.94, 1.0))  # paper and lamp brightness
    if noise > 0:
        warped += np.float32(noise) * rng.standard_normal(warped.shape, dtype=np.float32)
    return Warp(np.clip(warped, 0, 255).astype(np.uint8), matrix)


def _background(out_w: int, out_h: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """A darker table-like texture: a base colour, smooth blotches and fine grain."""
    base = np.array(rng.choice([[96, 78, 60], [70, 72, 76], [110, 96, 80], [52, 56, 66]]), dtype=np.float32)
    coarse = rng.standard_normal((max(2, out_h // 96), max(2, out_w // 96)), dtype=np.float32)
    blotches = cv2.resize(coarse, (out_w, out_h), interpolation=cv2.INTER_CUBIC)
    streaks = cv2.resize(
        rng.standard_normal((max(2, out_h // 4), max(2, out_w // 64)), dtype=np.float32),
        (out_w, out_h),
        interpolation=cv2.INTER_LINEAR,
    )
    grain = rng.standard_normal((out_h, out_w), dtype=np.float32)
    texture = 12 * blotches + 7 * streaks + 5 * grain
    return np.asarray(base[None, None, :] + texture[:, :, None], dtype=np.float32)


def _lighting(out_w: int, out_h: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """A smooth illumination field: a linear gradient in a random direction plus a vignette."""
    ys, xs = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    u, v = xs / out_w - 0.5, ys / out_h - 0.5
    angle = rng.uniform(0, 2 * math.pi)
    gradient = np.float32(math.cos(angle)) * u + np.float32(math.sin(angle)) * v
    light = 0.95 + np.float32(rng.uniform(0.15, 0.3)) * gradient - 0.35 * (u * u + v * v)
    return np.asarray(np.clip(light, 0.55, 1.05), dtype=np.float32)


def warp_photo(
    image: PageImage,
    *,
    seed: int,
    max_rotation: float = 8.0,
    max_perspective: float = 0.06,
    background: bool = True,
    blur: float = 0.8,
    jpeg_quality: int | None = 70,
) -> Warp:
    """A phone photo: the page in perspective on a darker textured table, lit unevenly, blurred, JPEG'd.

    With ``background`` the frame is larger than the page (1.3 x its width, 1.25 x its height) and
    the whole page stays in view; without it the frame is the page's size on white.
    """
    rng = np.random.default_rng(seed)
    width, height = _size(image)
    out = (round(width * 1.3), round(height * 1.25)) if background else (width, height)
    rotation = float(rng.uniform(-max_rotation, max_rotation))
    scale = float(rng.uniform(0.9, 1.0)) if background else float(rng.uniform(0.85, 0.95))
    shift = (float(rng.uniform(-0.03, 0.03) * out[0]), float(rng.uniform(-0.03, 0.03) * out[1]))
    persp_seed = int(rng.integers(0, 2**31))
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    for _ in range(40):  # shrink until the whole page is in the frame
        matrix = _homography(
            (width, height),
            out,
            rotation=rotation,
            shift=shift,
            scale=scale,
            perspective=max_perspective,
            rng=np.random.default_rng(persp_seed),
        )
        mapped = apply_homography(matrix, corners)
        if mapped.min() >= 4 and (mapped[:, 0].max() <= out[0] - 4) and (mapped[:, 1].max() <= out[1] - 4):
            break
        scale *= 0.96
    page = _warp_pixels(image, matrix, out, 0).astype(np.float32)
    page *= np.array([1.0, 0.985, 0.95], dtype=np.float32)  # warm paper under room light
    mask = cv2.warpPerspective(np.ones((height, width), np.float32), matrix, out, flags=cv2.INTER_LINEAR)
    mask = np.asarray(mask, dtype=np.float32)[:, :, None]
    behind = _background(out[0], out[1], rng) if background else np.float32(255)
    frame = page * mask + behind * (1 - mask)
    frame *= _lighting(out[0], out[1], rng)[:, :, None]
    frame += np.float32(2.5) * rng.standard_normal(frame.shape, dtype=np.float32)
    result = np.clip(frame, 0, 255).astype(np.uint8)
    if blur > 0:
        result = np.asarray(cv2.GaussianBlur(result, (0, 0), blur), dtype=np.uint8)
    if jpeg_quality is not None:
        buf = io.BytesIO()
        Image.fromarray(result, mode="RGB").save(buf, format="JPEG", quality=jpeg_quality)
        buf.seek(0)
        with Image.open(buf) as decoded:
            result = np.asarray(decoded.convert("RGB"), dtype=np.uint8).copy()
    return Warp(result, matrix)
