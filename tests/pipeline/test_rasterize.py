"""Tests for pipeline/rasterize.py: PDF pages and TIFF frames to RGB page rasters."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import TiffImagePlugin

from templateocr.exceptions import ImageTooLargeError, UndecodableImageError
from templateocr.pipeline.rasterize import (
    DecodeLimits,
    check_pixels,
    rasterize_image,
    rasterize_pdf,
    rasterize_tiff,
    to_rgb,
)

COLOURS = [(220, 30, 30), (30, 160, 40), (40, 60, 210), (200, 200, 20), (120, 0, 160)]


def pillow_pdf(sizes: list[tuple[int, int]], colours: list[tuple[int, int, int]] | None = None) -> bytes:
    """A PDF with one page per size (in points, at Pillow's 72 dpi), each filled with a colour."""
    colours = colours or [COLOURS[i % len(COLOURS)] for i in range(len(sizes))]
    pages = [PILImage.new("RGB", size, colour) for size, colour in zip(sizes, colours, strict=True)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=72.0, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def handmade_pdf(
    page_dicts: list[bytes], trailer_extra: bytes = b"", extra_objects: list[bytes] | None = None
) -> bytes:
    """A minimal PDF written by hand: catalog, page tree, the given page dictionaries, a valid xref."""
    first_page = 3
    extra_objects = extra_objects or []
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(page_dicts)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_dicts),
        *(b"<< /Type /Page /Parent 2 0 R " + d + b" >>" for d in page_dicts),
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def mean_colour(image: np.ndarray) -> tuple[int, ...]:
    h, w = image.shape[:2]
    centre = image[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4]
    return tuple(int(round(v)) for v in centre.reshape(-1, 3).mean(axis=0))


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_three_pages_rendered_at_150_dpi_with_their_content() -> None:
    data = pillow_pdf([(144, 72), (144, 72), (72, 144)])
    pages = rasterize_pdf(data, DecodeLimits())
    assert [p.index for p in pages] == [0, 1, 2]
    assert pages[0].image.shape == (150, 300, 3)  # 2 x 1 inch at 150 dpi
    assert pages[2].image.shape == (300, 150, 3)
    for page, colour in zip(pages, COLOURS, strict=False):
        assert page.image.dtype == np.uint8
        assert close_to(mean_colour(page.image), colour), (page.index, mean_colour(page.image))
    assert not close_to(mean_colour(pages[1].image), COLOURS[0])


def test_pdf_only_the_first_max_pages_are_rendered() -> None:
    data = pillow_pdf([(36, 36)] * 12)
    pages = rasterize_pdf(data, DecodeLimits())
    assert [p.index for p in pages] == list(range(10))
    assert len(rasterize_pdf(data, DecodeLimits(max_pages=2))) == 2


def test_pdf_first_selects_a_later_page() -> None:
    data = pillow_pdf([(36, 36)] * 12)
    pages = rasterize_pdf(data, DecodeLimits(max_pages=1), first=11)
    assert [p.index for p in pages] == [11]
    assert close_to(mean_colour(pages[0].image), COLOURS[11 % len(COLOURS)])
    with pytest.raises(UndecodableImageError, match="out of range; the PDF has 12 pages"):
        rasterize_pdf(data, DecodeLimits(), first=12)
    with pytest.raises(UndecodableImageError, match="out of range"):
        rasterize_pdf(data, DecodeLimits(), first=-1)


def test_pdf_dpi_setting_is_honoured() -> None:
    data = pillow_pdf([(72, 72)])
    assert rasterize_pdf(data, DecodeLimits(pdf_dpi=300))[0].image.shape == (300, 300, 3)


@pytest.mark.parametrize(
    ("media_box", "max_pixels"),
    [(b"0 0 14400 14400", 1_000_000), (b"0 0 14400 72", 500_000), (b"0 0 14400 14400", 60_000_000)],
)
def test_pdf_huge_page_is_scaled_down_to_the_pixel_limit(media_box: bytes, max_pixels: int) -> None:
    data = handmade_pdf([b"/MediaBox [" + media_box + b"]"])
    started = time.perf_counter()
    (page,) = rasterize_pdf(data, DecodeLimits(max_pixels=max_pixels))
    assert time.perf_counter() - started < 5
    assert page.width * page.height <= max_pixels
    assert page.width * page.height >= 0.95 * max_pixels
    width_pt, height_pt = (float(v) for v in media_box.split()[2:])
    assert page.width / page.height == pytest.approx(width_pt / height_pt, rel=0.02)
    assert (page.image == 255).all()  # an empty page renders white


def test_pdf_page_rotation_is_applied() -> None:
    data = handmade_pdf([b"/Rotate 90 /MediaBox [0 0 144 72]"])
    (page,) = rasterize_pdf(data, DecodeLimits())
    assert page.image.shape == (300, 150, 3)


def test_pdf_password_protected_is_undecodable() -> None:
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"ab" * 32, b"cd" * 32)
    file_id = b"<0123456789abcdef0123456789abcdef>"
    data = handmade_pdf(
        [b"/MediaBox [0 0 72 72]"],
        trailer_extra=b"/Encrypt 4 0 R /ID [" + file_id + file_id + b"] ",
        extra_objects=[encrypt],
    )
    with pytest.raises(UndecodableImageError, match="password"):
        rasterize_pdf(data, DecodeLimits())


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nthis is not a pdf at all",
        pillow_pdf([(72, 72)])[:150],
        b"%PDF-1.7\n" + bytes(range(256)) * 8,
    ],
    ids=["garbage", "truncated", "binary"],
)
def test_pdf_corrupt_is_undecodable(data: bytes) -> None:
    with pytest.raises(UndecodableImageError, match="PDF") as caught:
        rasterize_pdf(data, DecodeLimits())
    assert caught.value.code == "0011"


def test_pdf_without_pages_is_undecodable() -> None:
    with pytest.raises(UndecodableImageError, match="no pages"):
        rasterize_pdf(handmade_pdf([]), DecodeLimits())


def test_pdf_rendering_from_several_threads_is_serialised_and_correct() -> None:
    documents = [pillow_pdf([(72, 72), (72, 72)], [COLOURS[i], COLOURS[i + 1]]) for i in range(4)]
    results: dict[int, list[tuple[int, ...]]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(5):
                results[i] = [mean_colour(p.image) for p in rasterize_pdf(documents[i], DecodeLimits())]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    for i in range(4):
        assert close_to(results[i][0], COLOURS[i]) and close_to(results[i][1], COLOURS[i + 1])


# --- TIFF ---------------------------------------------------------------------------------------


def multi_frame_tiff(
    frames: list[PILImage.Image], orientations: list[int] | None = None, compression: str | None = None
) -> bytes:
    """A TIFF with one frame per image, each with its own Orientation tag."""
    orientations = orientations or [1] * len(frames)
    save = {"compression": compression} if compression else {}
    buffer = io.BytesIO()
    with TiffImagePlugin.AppendingTiffWriter(buffer, True) as writer:
        for frame, orientation in zip(frames, orientations, strict=True):
            frame.save(writer, "TIFF", tiffinfo={274: orientation}, **save)
            writer.newFrame()
    return buffer.getvalue()


def marked(size: tuple[int, int], colour: tuple[int, int, int]) -> PILImage.Image:
    """A white image with a block of ``colour`` in its top-left corner."""
    image = PILImage.new("RGB", size, (255, 255, 255))
    image.paste(colour, (0, 0, size[0] // 4, size[1] // 4))
    return image


@pytest.mark.parametrize("compression", [None, "tiff_lzw", "tiff_deflate"])
def test_tiff_two_frames_each_one_page(compression: str | None) -> None:
    frames = [PILImage.new("RGB", (40, 20), COLOURS[0]), PILImage.new("RGB", (30, 50), COLOURS[1])]
    data = multi_frame_tiff(frames, compression=compression)
    pages = rasterize_tiff(data, DecodeLimits())
    assert [p.index for p in pages] == [0, 1]
    assert pages[0].image.shape == (20, 40, 3) and pages[1].image.shape == (50, 30, 3)
    assert close_to(mean_colour(pages[0].image), COLOURS[0], 0)
    assert close_to(mean_colour(pages[1].image), COLOURS[1], 0)


def test_tiff_each_frame_is_turned_upright() -> None:
    red, blue = (255, 0, 0), (0, 0, 255)
    data = multi_frame_tiff([marked((40, 20), red), marked((40, 20), blue), marked((40, 20), red)], [1, 6, 3])
    pages = rasterize_tiff(data, DecodeLimits())
    assert pages[0].image.shape == (20, 40, 3)
    assert tuple(pages[0].image[0, 0]) == red
    # Orientation 6: stored top-left is shown top-right, the frame 20 wide and 40 tall.
    assert pages[1].image.shape == (40, 20, 3)
    assert tuple(pages[1].image[0, -1]) == blue and tuple(pages[1].image[0, 0]) == (255, 255, 255)
    # Orientation 3: rotated 180 degrees, the marker is bottom-right.
    assert pages[2].image.shape == (20, 40, 3)
    assert tuple(pages[2].image[-1, -1]) == red and tuple(pages[2].image[0, 0]) == (255, 255, 255)


def test_tiff_frames_beyond_max_pages_are_ignored() -> None:
    data = multi_frame_tiff([PILImage.new("L", (8, 8), 10 * i) for i in range(12)])
    pages = rasterize_tiff(data, DecodeLimits())
    assert [p.index for p in pages] == list(range(10))
    assert int(pages[9].image[0, 0, 0]) == 90
    later = rasterize_tiff(data, DecodeLimits(max_pages=1), first=11)
    assert [p.index for p in later] == [11] and int(later[0].image[0, 0, 0]) == 110
    with pytest.raises(UndecodableImageError, match="out of range; the TIFF has 12 pages"):
        rasterize_tiff(data, DecodeLimits(), first=12)
    with pytest.raises(UndecodableImageError, match="out of range"):
        rasterize_tiff(data, DecodeLimits(max_pages=1), first=-1)


def test_tiff_frame_over_the_pixel_limit_is_refused_before_decoding() -> None:
    data = multi_frame_tiff([PILImage.new("RGB", (10, 10)), PILImage.new("RGB", (100, 100))])
    with pytest.raises(ImageTooLargeError, match="100x100"):
        rasterize_tiff(data, DecodeLimits(max_pixels=5000))


def test_tiff_truncated_is_undecodable() -> None:
    data = multi_frame_tiff([PILImage.new("RGB", (64, 64), COLOURS[2])])
    with pytest.raises(UndecodableImageError, match="TIFF"):
        rasterize_tiff(data[: len(data) // 3], DecodeLimits())


# --- single images and helpers --------------------------------------------------------------------


def test_rasterize_image_refuses_a_pixel_count_over_the_limit() -> None:
    buffer = io.BytesIO()
    PILImage.new("RGB", (50, 50)).save(buffer, "PNG")
    with pytest.raises(ImageTooLargeError, match="50x50"):
        rasterize_image(buffer.getvalue(), "PNG", DecodeLimits(max_pixels=2499))
    assert rasterize_image(buffer.getvalue(), "PNG", DecodeLimits(max_pixels=2500)).image.shape == (50, 50, 3)


def test_check_pixels() -> None:
    check_pixels(10, 10, DecodeLimits(max_pixels=100))
    with pytest.raises(ImageTooLargeError):
        check_pixels(10, 11, DecodeLimits(max_pixels=100))
    with pytest.raises(UndecodableImageError):
        check_pixels(0, 11, DecodeLimits())


def test_to_rgb_scales_high_bit_greys() -> None:
    values16 = np.array([[0, 257 * 128, 65535]], dtype=np.uint16)
    assert to_rgb(PILImage.fromarray(values16))[0, :, 0].tolist() == [0, 128, 255]
    values32 = np.array([[0, 1000, 70000]], dtype=np.int32)
    assert to_rgb(PILImage.fromarray(values32))[0, :, 1].tolist() == [0, 4, 255]
    floats = np.array([[0.0, 0.5, 1.0]], dtype=np.float32)
    assert to_rgb(PILImage.fromarray(floats))[0, :, 2].tolist() == [0, 128, 255]


def test_decode_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        DecodeLimits(max_pages=0)
