"""Tests for pipeline/decode.py: declared formats, sniffing, limits, modes, EXIF, base64."""

from __future__ import annotations

import base64
import io
import os
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image as PILImage

from templateocr.exceptions import (
    ImageTooLargeError,
    InvalidRequestError,
    UndecodableImageError,
    UnsupportedFormatError,
)
from templateocr.pipeline.decode import (
    FORMATS,
    DecodeLimits,
    canonical_format,
    decode_base64,
    decode_image,
    encode_png,
    load_sample,
    page_info_long,
    sniff_format,
)

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def encoded(image: PILImage.Image, fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def marked(size: tuple[int, int] = (40, 20)) -> PILImage.Image:
    """White, with a red block in the top-left corner (to see where the corner went)."""
    image = PILImage.new("RGB", size, WHITE)
    image.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    return image


def with_orientation(fmt: str, orientation: int) -> bytes:
    exif = PILImage.Exif()
    exif[0x0112] = orientation
    return encoded(marked(), fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))


def pdf_of(colours: list[tuple[int, int, int]]) -> bytes:
    pages = [PILImage.new("RGB", (72, 72), colour) for colour in colours]
    return encoded(pages[0], "PDF", resolution=72.0, save_all=True, append_images=pages[1:])


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` RGB pixels, followed by a tiny IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def near(pixel: np.ndarray, expected: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


# --- declared formats and sniffing ----------------------------------------------------------------


def test_formats_map_clova_names_to_canonical_ones() -> None:
    assert FORMATS == {
        "jpg": "jpeg",
        "jpeg": "jpeg",
        "png": "png",
        "pdf": "pdf",
        "tif": "tiff",
        "tiff": "tiff",
    }
    assert canonical_format("JPG") == "jpeg" and canonical_format("Tif") == "tiff"


def test_unsupported_declared_format() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        decode_image(encoded(marked(), "BMP"), "bmp")
    assert (
        caught.value.detail
        == "images[0].format: unsupported format 'bmp'; use jpg, jpeg, png, pdf, tif or tiff"
    )
    assert caught.value.code == "0011" and caught.value.http_status == 400


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (encoded(marked(), "JPEG"), "jpeg"),
        (encoded(marked(), "PNG"), "png"),
        (encoded(marked(), "TIFF"), "tiff"),
        (encoded(marked(), "TIFF", big_tiff=True), "tiff"),
        (pdf_of([RED]), "pdf"),
        (b"\x00\x00junk before the header %PDF-1.4\n", "pdf"),
        (encoded(marked(), "BMP"), None),
        (encoded(marked(), "GIF"), None),
        (b"", None),
        (b"hello", None),
    ],
)
def test_sniff_format(data: bytes, expected: str | None) -> None:
    assert sniff_format(data) == expected


@pytest.mark.parametrize(
    ("declared", "pil_format", "actual"),
    [("png", "JPEG", "JPEG"), ("jpg", "PNG", "PNG"), ("pdf", "TIFF", "TIFF"), ("tiff", "PNG", "PNG")],
)
def test_declared_format_must_match_the_bytes(declared: str, pil_format: str, actual: str) -> None:
    with pytest.raises(
        UnsupportedFormatError, match=f"declared '{declared}' but the data is a {actual} file"
    ):
        decode_image(encoded(marked(), pil_format), declared)


@pytest.mark.parametrize(
    ("declared", "pil_format"), [("jpg", "JPEG"), ("JPEG", "JPEG"), ("tif", "TIFF"), ("TIFF", "TIFF")]
)
def test_format_aliases_are_equivalent(declared: str, pil_format: str) -> None:
    (page,) = decode_image(encoded(marked(), pil_format), declared)
    assert page.image.shape == (20, 40, 3) and page.index == 0


def test_declared_pdf_decodes_pages() -> None:
    pages = decode_image(pdf_of([RED, GREEN]), "PDF")
    assert [p.index for p in pages] == [0, 1]
    assert near(pages[1].image[75, 75], GREEN)


# --- bad bytes ----------------------------------------------------------------------------------


def test_empty_data() -> None:
    with pytest.raises(InvalidRequestError, match="empty") as caught:
        decode_image(b"", "png")
    assert type(caught.value) is InvalidRequestError


def test_over_max_bytes() -> None:
    data = encoded(marked(), "PNG")
    with pytest.raises(ImageTooLargeError, match="bytes"):
        decode_image(data, "png", DecodeLimits(max_bytes=len(data) - 1))
    assert decode_image(data, "png", DecodeLimits(max_bytes=len(data)))


@pytest.mark.parametrize("declared", ["png", "jpg", "pdf", "tiff"])
def test_random_bytes_are_undecodable(declared: str) -> None:
    data = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(UndecodableImageError, match="not a JPEG, PNG, PDF or TIFF"):
        decode_image(data, declared)


@pytest.mark.parametrize(
    ("pil_format", "declared", "keep"),
    [("JPEG", "jpg", 0.5), ("JPEG", "jpg", 0.05), ("PNG", "png", 0.5), ("PNG", "png", 0.1)],
)
def test_truncated_images_are_undecodable(pil_format: str, declared: str, keep: float) -> None:
    noise = np.random.default_rng(3).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    data = encoded(PILImage.fromarray(noise), pil_format)
    with pytest.raises(UndecodableImageError, match=f"cannot decode the {pil_format} image"):
        decode_image(data[: int(len(data) * keep)], declared)


def test_corrupt_body_after_a_valid_magic_number() -> None:
    with pytest.raises(UndecodableImageError):
        decode_image(b"\x89PNG\r\n\x1a\n" + os.urandom(300), "png")
    with pytest.raises(UndecodableImageError):
        decode_image(b"\xff\xd8\xff" + os.urandom(300), "jpeg")
    with pytest.raises(UndecodableImageError):
        decode_image(b"II*\x00" + os.urandom(300), "tif")


def test_pixel_bomb_png_fails_fast_without_decoding() -> None:
    started = time.perf_counter()
    with pytest.raises(ImageTooLargeError):
        decode_image(png_header_only(100_000, 100_000), "png")
    assert time.perf_counter() - started < 0.5


def test_png_over_max_pixels_is_refused_from_its_header() -> None:
    # 64 Mpx: under Pillow's own bomb threshold, so our check is the one that refuses it.
    with pytest.raises(ImageTooLargeError, match="8000x8000 pixels is over the limit of 60000000"):
        decode_image(png_header_only(8000, 8000), "png")


def test_png_over_pillows_bomb_warning_threshold_is_refused() -> None:
    # 90 Mpx: Pillow warns (an error under filterwarnings=error); either way it is refused.
    with pytest.raises(ImageTooLargeError):
        decode_image(png_header_only(10_000, 9_000), "png")


def test_huge_pdf_page_is_rendered_within_the_limit() -> None:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    (rendered,) = decode_image(bytes(out), "pdf", DecodeLimits(max_pixels=2_000_000))
    assert 1_900_000 <= rendered.width * rendered.height <= 2_000_000


# --- orientation and modes -----------------------------------------------------------------------


@pytest.mark.parametrize("pil_format", ["JPEG", "PNG"])
def test_exif_orientation_6_turns_the_image_a_quarter_clockwise(pil_format: str) -> None:
    (page,) = decode_image(with_orientation(pil_format, 6), pil_format.lower())
    assert page.image.shape == (40, 20, 3)  # stored 40x20 landscape, shown portrait
    assert near(page.image[2, -3], RED) and near(page.image[2, 2], WHITE)


@pytest.mark.parametrize("pil_format", ["JPEG", "PNG"])
def test_exif_orientation_3_turns_the_image_upside_down(pil_format: str) -> None:
    (page,) = decode_image(with_orientation(pil_format, 3), pil_format.lower())
    assert page.image.shape == (20, 40, 3)
    assert near(page.image[-2, -2], RED) and near(page.image[2, 2], WHITE)


def test_without_exif_the_image_is_as_stored() -> None:
    (page,) = decode_image(encoded(marked(), "PNG"), "png")
    assert tuple(page.image[0, 0]) == RED and tuple(page.image[-1, -1]) == WHITE


def test_malformed_exif_is_ignored() -> None:
    data = encoded(marked(), "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\xff\xff\xff", quality=95)
    # Pillow warns while reading it (a warning, not an error, outside pytest's filterwarnings=error).
    with pytest.warns(UserWarning, match="EXIF"):
        (page,) = decode_image(data, "jpg")
    assert page.image.shape == (20, 40, 3) and tuple(page.image[0, 0]) != WHITE


def _palette_image() -> PILImage.Image:
    image = PILImage.new("P", (4, 1))
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
    image.putdata([0, 1, 2, 3])
    return image


def test_mode_l() -> None:
    grey = PILImage.fromarray(np.array([[0, 100, 255]], dtype=np.uint8), mode=None)
    (page,) = decode_image(encoded(grey, "PNG"), "png")
    assert page.image.tolist() == [[[0, 0, 0], [100, 100, 100], [255, 255, 255]]]


def test_mode_p() -> None:
    (page,) = decode_image(encoded(_palette_image(), "PNG"), "png")
    assert page.image.tolist() == [[list(RED), list(GREEN), list(BLUE), [10, 20, 30]]]


def test_mode_p_with_a_transparent_index_becomes_white() -> None:
    (page,) = decode_image(encoded(_palette_image(), "PNG", transparency=1), "png")
    assert page.image.tolist() == [[list(RED), list(WHITE), list(BLUE), [10, 20, 30]]]


def test_mode_rgba_is_composited_on_white() -> None:
    rgba = np.array([[[255, 0, 0, 0], [0, 0, 255, 255], [0, 0, 0, 128]]], dtype=np.uint8)
    (page,) = decode_image(encoded(PILImage.fromarray(rgba), "PNG"), "png")
    assert page.image[0, 0].tolist() == list(WHITE)
    assert page.image[0, 1].tolist() == list(BLUE)
    assert near(page.image[0, 2], (127, 127, 127), 1)


def test_mode_la_is_composited_on_white() -> None:
    la = PILImage.new("LA", (2, 1))
    la.putdata([(0, 255), (0, 0)])
    (page,) = decode_image(encoded(la, "PNG"), "png")
    assert page.image.tolist() == [[[0, 0, 0], [255, 255, 255]]]


def test_mode_cmyk_jpeg() -> None:
    cmyk = PILImage.new("CMYK", (16, 16), (255, 0, 0, 0))  # pure cyan
    (page,) = decode_image(encoded(cmyk, "JPEG", quality=95), "jpeg")
    assert page.image.shape == (16, 16, 3)
    assert near(page.image[8, 8], (0, 255, 255), 12)


def test_mode_1() -> None:
    bits = PILImage.new("1", (8, 2), 1)
    bits.putpixel((0, 0), 0)
    (page,) = decode_image(encoded(bits, "PNG"), "png")
    assert page.image[0, 0].tolist() == [0, 0, 0] and page.image[1, 7].tolist() == list(WHITE)


def test_mode_i16_png_is_scaled_not_clipped() -> None:
    values = np.array([[0, 1000, 257 * 128, 65535]], dtype=np.uint16)
    (page,) = decode_image(encoded(PILImage.fromarray(values), "PNG"), "png")
    assert page.image[0, :, 0].tolist() == [0, 4, 128, 255]


def test_page_is_contiguous_writable_rgb_uint8() -> None:
    (page,) = decode_image(encoded(marked(), "JPEG"), "jpg")
    assert page.image.dtype == np.uint8 and page.image.flags.c_contiguous and page.image.flags.writeable


# --- samples ------------------------------------------------------------------------------------


def test_load_sample_picks_the_page() -> None:
    data = pdf_of([RED, GREEN, BLUE])
    assert near(load_sample(data, "pdf")[75, 75], RED)
    assert near(load_sample(data, "pdf", 2)[75, 75], BLUE)


def test_load_sample_may_pick_a_page_beyond_max_pages() -> None:
    data = pdf_of([RED] * 11 + [GREEN])
    assert near(load_sample(data, "pdf", 11, DecodeLimits(max_pages=10))[75, 75], GREEN)


@pytest.mark.parametrize(
    ("data", "fmt", "index"),
    [(pdf_of([RED, GREEN]), "pdf", 2), (pdf_of([RED]), "pdf", -1), (encoded(marked(), "PNG"), "png", 1)],
)
def test_load_sample_out_of_range(data: bytes, fmt: str, index: int) -> None:
    with pytest.raises(UndecodableImageError, match="sample"):
        load_sample(data, fmt, index)


def test_load_sample_of_a_tiff_frame() -> None:
    frames = [PILImage.new("RGB", (10, 10), RED), PILImage.new("RGB", (10, 10), GREEN)]
    data = encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    assert load_sample(data, "tiff", 1)[5, 5].tolist() == list(GREEN)
    with pytest.raises(UndecodableImageError, match="out of range"):
        load_sample(data, "tiff", 2)


# --- base64 and PNG encoding ----------------------------------------------------------------------

PAYLOAD = bytes(range(256)) * 3


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(PAYLOAD).decode(),
        "data:image/png;base64," + base64.b64encode(PAYLOAD).decode(),
        "data:application/pdf;base64," + base64.b64encode(PAYLOAD).decode(),
        base64.encodebytes(PAYLOAD).decode(),  # MIME line wrapping
    ],
    ids=["plain", "data-url", "data-url-pdf", "wrapped"],
)
def test_decode_base64(text: str) -> None:
    assert decode_base64(text) == PAYLOAD


@pytest.mark.parametrize(
    "text",
    [
        "not base64!",
        base64.b64encode(PAYLOAD).decode()[:-2],  # padding cut
        base64.urlsafe_b64encode(b"\xfb\xff" * 30).decode(),  # URL-safe alphabet
        "QUJD\u00e9",  # non-ASCII
        "data:image/png;base64,@@@@",
    ],
)
def test_decode_base64_invalid(text: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        decode_base64(text)
    assert caught.value.detail == "images[0].data: not valid base64"


def test_encode_png_round_trip() -> None:
    image = np.random.default_rng(1).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    data = encode_png(image)
    assert sniff_format(data) == "png"
    (page,) = decode_image(data, "png")
    assert np.array_equal(page.image, image)


def test_encode_png_refuses_other_arrays() -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        encode_png(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        encode_png(np.zeros((4, 4, 3), dtype=np.float32))


# --- longImage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1240, 1754, False),
        (100, 300, False),
        (100, 301, True),
        (3010, 1000, True),
        (1, 1, False),
        (0, 10, False),
    ],
)
def test_page_info_long(width: int, height: int, expected: bool) -> None:
    assert page_info_long(width, height) is expected
