"""Encode synthetic pages as the files clients send: PNG, JPEG (with EXIF orientation), PDF, TIFF.

Every encoder is deterministic: the same pixels give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["EXIF_ORIENTATION_TAG", "to_jpeg", "to_pdf", "to_png", "to_tiff"]

EXIF_ORIENTATION_TAG = 0x0112
ImageLike = NDArray[np.uint8] | Image.Image

# The transpose that undoes what each EXIF orientation tells a viewer to do.
_STORE_FOR_ORIENTATION: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _pil(image: ImageLike) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB") if image.mode != "RGB" else image
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {array.dtype}")
    if array.ndim == 2:
        return Image.fromarray(array, mode="L").convert("RGB")
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an RGB (H, W, 3) image, got shape {array.shape}")
    return Image.fromarray(np.ascontiguousarray(array), mode="RGB")


def to_png(image: ImageLike) -> bytes:
    """Encode as PNG."""
    buf = io.BytesIO()
    _pil(image).save(buf, format="PNG")
    return buf.getvalue()


def to_jpeg(image: ImageLike, quality: int = 90, exif_orientation: int | None = None) -> bytes:
    """Encode as JPEG, optionally with an EXIF orientation tag.

    With ``exif_orientation`` (1-8) the pixels are stored transformed so that a viewer applying the
    tag (e.g. ``PIL.ImageOps.exif_transpose``) shows the upright ``image`` again.
    """
    pil = _pil(image)
    if exif_orientation is None:
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=quality)
        return buf.getvalue()
    if exif_orientation not in _STORE_FOR_ORIENTATION:
        raise ValueError(f"EXIF orientation must be 1..8, got {exif_orientation}")
    method = _STORE_FOR_ORIENTATION[exif_orientation]
    stored = pil.transpose(method) if method is not None else pil
    exif = Image.Exif()
    exif[EXIF_ORIENTATION_TAG] = exif_orientation
    buf = io.BytesIO()
    stored.save(buf, format="JPEG", quality=quality, exif=exif.tobytes())
    return buf.getvalue()


def to_pdf(images: Sequence[ImageLike], dpi: int = 150) -> bytes:
    """A PDF with one page per image, each page sized as the image at ``dpi`` (1240 x 1754 at 150 is A4)."""
    if not images:
        raise ValueError("a PDF needs at least one page")
    pages = [_pil(image) for image in images]
    buf = io.BytesIO()
    pages[0].save(
        buf,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        quality=92,
        creationDate=None,  # no timestamps: the same pages give the same bytes
        modDate=None,
    )
    return buf.getvalue()


def to_tiff(images: Sequence[ImageLike]) -> bytes:
    """A multi-page TIFF (deflate compressed), one frame per image."""
    if not images:
        raise ValueError("a TIFF needs at least one page")
    pages = [_pil(image) for image in images]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return buf.getvalue()
