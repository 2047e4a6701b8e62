"""hypothesis over the image decoders (``pipeline/decode.py`` and ``rasterize.py``): valid JPEG,
PNG, TIFF and PDF files with bytes flipped, cut, inserted or repeated, header fields set to any
value, and bytes behind each format's magic number. Each either decodes to RGB ``uint8`` pages
within the limits or raises an error of the tree (0011), never anything else, never a crash.
"""

from __future__ import annotations

import io
import struct
from functools import cache

import numpy as np
import pypdfium2 as pdfium
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from templateocr.exceptions import TemplateOcrError
from templateocr.pipeline.decode import DecodeLimits, decode_base64, decode_image

LIMITS = DecodeLimits(max_bytes=2_000_000, max_pixels=4_000_000, max_pages=3, pdf_dpi=72)
EDGE_VALUES = [0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def _picture(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, size[0] - 5, size[1] // 2), outline="black")
    draw.line((0, size[1] - 1, size[0] - 1, 0), fill="black", width=2)
    return image


@cache
def seeds(kind: str) -> tuple[bytes, ...]:
    """Small valid files of ``kind``: what the mutations start from."""
    out = []
    if kind == "jpeg":
        for options in ({"quality": 80}, {"progressive": True}, {"quality": 50, "subsampling": 0}):
            buffer = io.BytesIO()
            _picture().save(buffer, "JPEG", **options)
            out.append(buffer.getvalue())
        buffer = io.BytesIO()
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation
        _picture().save(buffer, "JPEG", exif=exif)
        out.append(buffer.getvalue())
    elif kind == "png":
        for mode in ("RGB", "RGBA", "L", "P", "1", "I;16"):
            buffer = io.BytesIO()
            _picture(mode if mode != "I;16" else "I").convert(mode).save(buffer, "PNG")
            out.append(buffer.getvalue())
    elif kind == "tiff":
        for compression in (None, "tiff_lzw", "packbits", "tiff_deflate"):
            buffer = io.BytesIO()
            frames = [_picture(), _picture("L", (40, 30))]
            frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression=compression)
            out.append(buffer.getvalue())
    else:
        for pages in (1, 2):
            document = pdfium.PdfDocument.new()
            for _ in range(pages):
                document.new_page(200, 150)
            buffer = io.BytesIO()
            document.save(buffer)
            document.close()
            out.append(buffer.getvalue())
        buffer = io.BytesIO()
        _picture().save(buffer, "PDF")
        out.append(buffer.getvalue())
    return tuple(out)


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A seed file of ``kind`` with up to four edits."""
    data = bytearray(draw(st.sampled_from(seeds(kind))))
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete", "repeat", "u32"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 256))] * draw(st.integers(1, 8))
        elif edit == "u32" and len(data) >= at + 4:
            # header fields (sizes, offsets, counts) set to edge values
            value = draw(st.sampled_from(EDGE_VALUES) | st.integers(0, 2**32 - 1))
            data[at : at + 4] = struct.pack(draw(st.sampled_from([">I", "<I"])), value)
    return bytes(data)


def _decode_or_error(data: bytes, declared: str) -> None:
    try:
        pages = decode_image(data, declared, LIMITS)
    except TemplateOcrError as error:
        assert error.code == "0011", error
        return
    assert 1 <= len(pages) <= LIMITS.max_pages
    for page in pages:
        image = page.image
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert 0 < image.shape[0] * image.shape[1] <= LIMITS.max_pixels


@fuzz_settings(1500)
@given(mutated("jpeg"))
def test_mutated_jpeg(data: bytes) -> None:
    _decode_or_error(data, "jpg")


@fuzz_settings(1500)
@given(mutated("png"))
def test_mutated_png(data: bytes) -> None:
    _decode_or_error(data, "png")


@fuzz_settings(1500)
@given(mutated("tiff"))
def test_mutated_tiff(data: bytes) -> None:
    _decode_or_error(data, "tiff")


@fuzz_settings(1500)
@given(mutated("pdf"))
def test_mutated_pdf(data: bytes) -> None:
    _decode_or_error(data, "pdf")


MAGIC = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"II+\x00", b"%PDF-1.4\n"]


@fuzz_settings(1000)
@given(
    st.sampled_from(MAGIC),
    st.binary(max_size=400),
    st.sampled_from(["jpg", "jpeg", "png", "pdf", "tif", "tiff", "JPG", "bmp"]),
)
def test_bytes_behind_a_magic_number(magic: bytes, rest: bytes, declared: str) -> None:
    _decode_or_error(magic + rest, declared)


@fuzz_settings(300)
@given(st.text(max_size=200))
def test_base64_data_field(text: str) -> None:
    try:
        decode_base64(text)
    except TemplateOcrError as error:
        assert error.code == "0011"
