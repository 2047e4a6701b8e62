"""Rasters from image files: one JPEG/PNG, the frames of a TIFF, the pages of a PDF.

Everything here turns bytes of a known format into RGB ``uint8`` pages under
:class:`DecodeLimits`. The size of every raster is checked from the file's header before any
pixel is decoded, and whatever Pillow or pdfium raise is turned into a
:class:`~templateocr.exceptions.TemplateOcrError`, so a bad file is a 400, never a 500.

Pillow's own decompression-bomb guard (``Image.MAX_IMAGE_PIXELS``) is left at its default and
is not relied on: our ``max_pixels`` check runs on every page. When Pillow's guard fires first
(its warning above ~89 Mpx, which ``filterwarnings=error`` turns into an exception, or its error
above twice that) the image is refused with :class:`ImageTooLargeError` all the same. The
effective limit is therefore ``min(max_pixels, 2 * Image.MAX_IMAGE_PIXELS)``.

pdfium is not thread-safe: every pdfium call is made under :data:`_PDFIUM_LOCK`.
"""

from __future__ import annotations

import contextlib
import io
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
from PIL import Image as PILImage
from PIL import ImageOps

from templateocr.exceptions import ImageTooLargeError, TemplateOcrError, UndecodableImageError
from templateocr.models.page import Image, Page

__all__ = [
    "DecodeLimits",
    "check_pixels",
    "rasterize_image",
    "rasterize_pdf",
    "rasterize_tiff",
    "to_rgb",
]

_PDFIUM_LOCK = threading.Lock()
_POINTS_PER_INCH = 72.0
_HIGH_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})


@dataclass(frozen=True)
class DecodeLimits:
    """What one request's image may cost.

    Attributes:
        max_bytes: Largest accepted file, in bytes.
        max_pixels: Largest raster of one page (width times height).
        max_pages: Pages (PDF) or frames (TIFF) read; later ones are ignored, not an error.
        pdf_dpi: Resolution PDF pages are rendered at; lowered for a page whose raster would
            exceed ``max_pixels``.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 60_000_000
    max_pages: int = 10
    pdf_dpi: int = 150

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "max_pages", "pdf_dpi"):
            if getattr(self, name) <= 0:
                raise ValueError(f"DecodeLimits.{name} must be positive")


def check_pixels(width: int, height: int, limits: DecodeLimits, where: str = "images[0]") -> None:
    """Refuse a raster of ``width`` x ``height`` pixels if it is over ``limits.max_pixels``.

    Raises:
        ImageTooLargeError: The raster is too large.
        UndecodableImageError: A dimension is zero or negative.
    """
    if width <= 0 or height <= 0:
        raise UndecodableImageError(f"{where}.data: the image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels:
        raise ImageTooLargeError(
            f"{where}.data: {width}x{height} pixels is over the limit of {limits.max_pixels} pixels"
        )


def to_rgb(image: PILImage.Image) -> Image:
    """Convert a Pillow image of any mode to an RGB ``uint8`` array.

    Transparency is composited on white; 16- and 32-bit greys are scaled to 8 bits (Pillow's
    own conversion would clip them).
    """
    if image.mode in _HIGH_BIT_MODES:
        grey = _high_bit_to_uint8(np.asarray(image))
        return np.repeat(grey[:, :, np.newaxis], 3, axis=2)
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = PILImage.alpha_composite(background, rgba)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return np.array(rgb, dtype=np.uint8)


def _high_bit_to_uint8(values: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    """Scale a 16-bit, 32-bit or float grey array to ``uint8``."""
    data = values.astype(np.float64)
    if values.dtype.kind == "f":
        top = 1.0 if float(np.nanmax(data, initial=0.0)) <= 1.0 else 255.0
    elif values.dtype.itemsize == 2:
        top = 65535.0
    else:
        peak = float(data.max(initial=0.0))
        top = 255.0 if peak <= 255 else 65535.0 if peak <= 65535 else peak
    scaled = np.nan_to_num(data * (255.0 / top), nan=0.0)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


@contextlib.contextmanager
def _decoding(kind: str, where: str) -> Iterator[None]:
    """Turn anything an image library raises into an error of the tree."""
    try:
        yield
    except TemplateOcrError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning, MemoryError) as exc:
        raise ImageTooLargeError(f"{where}.data: the {kind} is too large to decode") from exc
    except Exception as exc:  # Pillow and pdfium raise many types; none may escape as a 500.
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise UndecodableImageError(f"{where}.data: cannot decode the {kind} ({reason})") from exc


def _open(data: bytes, pil_format: str) -> PILImage.Image:
    """Open lazily (header only) with exactly one Pillow plugin."""
    return PILImage.open(io.BytesIO(data), formats=[pil_format])


def _upright(image: PILImage.Image) -> PILImage.Image:
    """Load the current frame's pixels and apply its EXIF/TIFF orientation in place."""
    image.load()
    # A malformed EXIF block must not make a readable image unreadable.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    return image


def rasterize_image(data: bytes, pil_format: str, limits: DecodeLimits, *, where: str = "images[0]") -> Page:
    """Decode a single-page JPEG or PNG (``pil_format`` ``"JPEG"`` or ``"PNG"``) to page 0.

    Raises:
        ImageTooLargeError: The header's size is over ``limits.max_pixels``.
        UndecodableImageError: The bytes are truncated or corrupt.
    """
    with _decoding(f"{pil_format} image", where), _open(data, pil_format) as image:
        check_pixels(image.width, image.height, limits, where)
        return Page(to_rgb(_upright(image)), 0)


def rasterize_tiff(
    data: bytes, limits: DecodeLimits, *, first: int = 0, where: str = "images[0]"
) -> list[Page]:
    """Decode the frames ``first`` .. ``first + limits.max_pages - 1`` of a TIFF, each upright.

    Page indexes are frame numbers. Each frame's size is checked before it is decoded.

    Raises:
        ImageTooLargeError: A frame is over ``limits.max_pixels``.
        UndecodableImageError: The file is corrupt, or has no frame ``first``.
    """
    pages: list[Page] = []
    with _decoding("TIFF image", where), _open(data, "TIFF") as image:
        for index in range(max(first, 0), first + limits.max_pages):
            try:
                image.seek(index)
            except EOFError:
                break
            check_pixels(image.width, image.height, limits, where)
            pages.append(Page(to_rgb(_upright(image)), index))
        if not pages:
            with _open(data, "TIFF") as fresh:  # n_frames is off by one after a failed seek
                count = getattr(fresh, "n_frames", 1)
            raise UndecodableImageError(f"{where}: page {first} is out of range; the TIFF has {count} pages")
    return pages


def _pdf_scale(width_pt: float, height_pt: float, limits: DecodeLimits) -> float:
    """The render scale (pixels per point): ``pdf_dpi``, lowered to fit ``max_pixels``."""
    scale = limits.pdf_dpi / _POINTS_PER_INCH
    if math.ceil(width_pt * scale) * math.ceil(height_pt * scale) > limits.max_pixels:
        scale = math.sqrt(limits.max_pixels / (width_pt * height_pt))
        while scale > 0 and math.ceil(width_pt * scale) * math.ceil(height_pt * scale) > limits.max_pixels:
            scale *= 0.995
    return scale


def _render_pdf_page(document: Any, index: int, limits: DecodeLimits, where: str) -> Image:
    """Render one page of an open pdfium document (caller holds the lock)."""
    page = document[index]
    try:
        width_pt, height_pt = (float(v) for v in page.get_size())
        if not (math.isfinite(width_pt) and math.isfinite(height_pt)) or width_pt <= 0 or height_pt <= 0:
            raise UndecodableImageError(f"{where}.data: PDF page {index} has no area")
        scale = _pdf_scale(width_pt, height_pt, limits)
        if scale <= 0:
            raise ImageTooLargeError(f"{where}.data: PDF page {index} is too large to render")
        bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
        try:
            pixels = bitmap.to_numpy()
            check_pixels(int(pixels.shape[1]), int(pixels.shape[0]), limits, where)
            if pixels.ndim == 3 and pixels.shape[2] == 3:
                return np.array(pixels, dtype=np.uint8, order="C")
            return to_rgb(bitmap.to_pil())
        finally:
            bitmap.close()
    finally:
        page.close()


def rasterize_pdf(
    data: bytes, limits: DecodeLimits, *, first: int = 0, where: str = "images[0]"
) -> list[Page]:
    """Render the pages ``first`` .. ``first + limits.max_pages - 1`` of a PDF with pdfium.

    Pages are rendered at ``limits.pdf_dpi``; a page whose raster would be over
    ``limits.max_pixels`` is rendered at the largest scale that fits instead (so a 200-inch page
    never allocates gigabytes). Form fields are drawn. Page indexes are PDF page numbers.

    Raises:
        UndecodableImageError: The PDF is corrupt, needs a password, has no pages or no page
            ``first``.
    """
    with _PDFIUM_LOCK, _decoding("PDF", where):
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise UndecodableImageError(f"{where}.data: the PDF is password-protected") from exc
            raise UndecodableImageError(
                f"{where}.data: cannot open the PDF (it is damaged, has no pages or is not a PDF)"
            ) from exc
        try:
            document.init_forms()  # before any page is loaded, so form fields are drawn
            count = len(document)
            if count == 0:
                raise UndecodableImageError(f"{where}.data: the PDF has no pages")
            if not 0 <= first < count:
                raise UndecodableImageError(
                    f"{where}: page {first} is out of range; the PDF has {count} pages"
                )
            last = min(count, first + limits.max_pages)
            return [Page(_render_pdf_page(document, i, limits, where), i) for i in range(first, last)]
        finally:
            document.close()
