"""Encoders: PNG, JPEG with EXIF orientation, multi-page PDF and TIFF round-trip deterministically."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from templateocr.synth import build_form, to_jpeg, to_pdf, to_png, to_tiff


def _asymmetric(width: int = 160, height: int = 100) -> np.ndarray:
    image = np.full((height, width, 3), 255, np.uint8)
    image[: height // 2, : width // 3] = (200, 30, 30)
    image[height // 2 :, width // 2 :] = (30, 30, 200)
    image[10:20, width - 30 : width - 10] = (20, 160, 20)
    return image


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def test_png_round_trip() -> None:
    page = build_form("ko", "invoice").image
    assert np.array_equal(_decode(to_png(page)), page)


@pytest.mark.parametrize("orientation", [None, 1, 2, 3, 4, 5, 6, 7, 8])
def test_jpeg_exif_orientation_gives_back_the_upright_image(orientation: int | None) -> None:
    image = _asymmetric()
    data = to_jpeg(image, quality=95, exif_orientation=orientation)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert im.getexif().get(0x0112) == orientation
        raw_size = im.size
        upright = np.asarray(ImageOps.exif_transpose(im).convert("RGB")).astype(int)
    assert raw_size == ((100, 160) if orientation in (5, 6, 7, 8) else (160, 100))
    assert upright.shape == image.shape
    assert np.abs(upright - image).mean() < 4


def test_jpeg_rejects_bad_orientation() -> None:
    with pytest.raises(ValueError, match="1..8"):
        to_jpeg(_asymmetric(), exif_orientation=9)


def test_pdf_pages_are_a4_at_150_dpi() -> None:
    pages = [build_form("en", "application").image, build_form("en", "invoice").image]
    data = to_pdf(pages)
    pdf = pdfium.PdfDocument(data)
    try:
        assert len(pdf) == 2
        width, height = pdf[0].get_size()
        assert width == pytest.approx(595.2, abs=0.5) and height == pytest.approx(841.9, abs=0.5)
        rendered = np.asarray(pdf[1].render(scale=150 / 72).to_pil().convert("RGB")).astype(int)
    finally:
        pdf.close()
    assert abs(rendered.shape[0] - 1754) <= 1 and abs(rendered.shape[1] - 1240) <= 1
    assert np.abs(rendered[:1700, :1200] - pages[1][:1700, :1200]).mean() < 3


def test_tiff_frames_round_trip() -> None:
    pages = [build_form("ja", "registration").image, _asymmetric(300, 200)]
    with Image.open(io.BytesIO(to_tiff(pages))) as im:
        assert im.format == "TIFF" and getattr(im, "n_frames", 1) == 2
        for i, page in enumerate(pages):
            im.seek(i)
            assert np.array_equal(np.asarray(im.convert("RGB")), page)


def test_encoders_are_deterministic() -> None:
    page = build_form("zh-TW", "application").image
    for encode in (
        to_png,
        lambda p: to_jpeg(p, exif_orientation=6),
        lambda p: to_pdf([p]),
        lambda p: to_tiff([p]),
    ):
        assert encode(page) == encode(page.copy())
    assert b"CreationDate" not in to_pdf([page]), "PDF bytes must not depend on the clock"


def test_empty_documents_and_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError):
        to_pdf([])
    with pytest.raises(ValueError):
        to_tiff([])
    with pytest.raises(ValueError, match="uint8"):
        to_png(np.zeros((10, 10, 3), np.float32))
