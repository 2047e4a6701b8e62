"""Alignment of photographed and scanned pages onto their template: accuracy, refinement, sanity.

Forms are drawn here with Pillow (a title, label cells, boxes, rules, checkboxes, captions) in the
Noto CJK / DejaVu fonts, filled with values the sample does not have, then warped with a known
homography like a scan or a phone photo (rotation, quarter turns, scale, perspective, a darker
background around the page, uneven light, blur, noise, JPEG). Errors are measured in template
pixels (150 dpi): each box corner found in the page is mapped back through the true homography.

The form drawing and warping helpers are imported by ``test_classify.py`` and
``test_features.py`` too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from templateocr.geometry import apply_homography, rect_quad
from templateocr.pipeline.align import align, coarse_match, plausible, refine
from templateocr.pipeline.classify import DEFAULT_THRESHOLD
from templateocr.pipeline.features import Features, extract_features
from templateocr.synth.fonts import load_font

Box = tuple[int, int, int, int]
RGB = NDArray[np.uint8]


@dataclass(frozen=True)
class Layout:
    """One form design: its language, title and rows of labels."""

    lang: str
    title: str
    subtitle: str
    labels: tuple[str, ...]
    columns: int = 1
    options: tuple[str, ...] = ("A", "B", "C")
    remarks: str = "Remarks"
    sign: str = "Signature"


LAYOUTS: dict[str, Layout] = {
    "ko": Layout(
        "ko",
        "입학 지원서",
        "APPLICATION FORM",
        ("성명", "생년월일", "주소", "전화번호", "이메일", "학교명"),
        remarks="비고 / Remarks",
        sign="서명 Signature",
    ),
    "ja": Layout(
        "ja",
        "変更届出書",
        "NOTIFICATION OF CHANGE",
        ("氏名", "登録番号", "変更前", "変更後", "理由"),
        columns=2,
        options=("1", "2", "3", "4"),
        remarks="備考 / Remarks",
        sign="署名 Signature",
    ),
    "zh-TW": Layout(
        "zh-TW",
        "會員申請表",
        "MEMBERSHIP APPLICATION",
        ("姓名", "身分證字號", "地址", "電話"),
        options=("A", "B"),
        remarks="備註 / Remarks",
        sign="簽名 Signature",
    ),
    # a form of the same style that is never released: it must not be taken for one of the above
    "en": Layout(
        "en",
        "Application Form",
        "PLEASE PRINT CLEARLY",
        ("Full name", "Date of birth", "Address", "Phone", "Email"),
        options=("A", "B", "C", "D"),
    ),
}
# another version of the Korean form: the same layout under another title (test_classify)
LAYOUTS["ko-v2"] = replace(LAYOUTS["ko"], title="재학 증명서")

VALUES = {
    "ko": ("홍길동", "서울시 강남구", "010-1234-5678", "1990.01.02", "한국대학교"),
    "ja": ("山田太郎", "東京都港区", "03-1234-5678", "1985年4月1日", "転居のため"),
    "zh-TW": ("王小明", "台北市信義區", "0912-345-678", "A123456789", "民國八十年"),
    "en": ("John Smith", "42 Main Street", "555-0100", "1990-01-02", "john@example.com"),
}


@dataclass(frozen=True)
class Form:
    """A drawn form: the page and the boxes a template would define areas on."""

    image: RGB
    boxes: tuple[Box, ...]

    def corners(self) -> NDArray[np.float64]:
        """Every box corner, ``(4 * len(boxes), 2)``."""
        return np.concatenate([rect_quad(*b) for b in self.boxes])

    def quads(self) -> list[NDArray[np.float64]]:
        """The boxes as quads (areas to ignore in a filled sample)."""
        return [rect_quad(*b) for b in self.boxes]


@lru_cache(maxsize=32)
def render_form(name: str, fill: int | None = None, size: tuple[int, int] = (1240, 1754)) -> Form:
    """Draw the ``name`` layout at ``size`` (A4 at 150 dpi by default); ``fill`` seeds its values."""
    layout = LAYOUTS[name]
    width, height = size
    k = width / 1240

    def px(value: float) -> int:
        return round(value * k)

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    line = max(1, px(2))
    label_font = load_font(layout.lang, px(28))
    draw.text(
        (width // 2, px(110)),
        layout.title,
        font=load_font(layout.lang, px(56), "bold"),
        fill="black",
        anchor="mm",
    )
    draw.text(
        (width // 2, px(175)), layout.subtitle, font=load_font("en", px(24)), fill=(40, 40, 40), anchor="mm"
    )
    margin = px(90)
    draw.line([(margin, px(215)), (width - margin, px(215))], fill="black", width=max(2, px(4)))
    boxes: list[Box] = []
    y = px(260)
    row = px(78)
    span = (width - 2 * margin) // layout.columns
    label_w = px(250) if layout.columns == 1 else px(170)
    for index, label in enumerate(layout.labels):
        for column in range(layout.columns):
            x = margin + column * span
            draw.rectangle([x, y, x + span, y + row], outline="black", width=line)
            draw.rectangle([x, y, x + label_w, y + row], fill=(225, 225, 225), outline="black", width=line)
            text = label if column == 0 else f"{label} ({index + 1})"
            draw.text((x + px(16), y + row // 2), text, font=label_font, fill="black", anchor="lm")
            boxes.append((x + label_w, y, x + span, y + row))
        y += row
    y += px(60)
    for index, option in enumerate(layout.options):
        x = margin + index * px(260)
        draw.rectangle([x, y, x + px(34), y + px(34)], outline="black", width=max(2, px(3)))
        draw.text(
            (x + px(50), y + px(17)),
            f"Option {option}",
            font=load_font("en", px(26)),
            fill="black",
            anchor="lm",
        )
        boxes.append((x, y, x + px(34), y + px(34)))
    y += px(90)
    box_h = px(300)
    draw.rectangle([margin, y, width - margin, y + box_h], outline="black", width=line)
    draw.text((margin + px(14), y + px(10)), layout.remarks, font=label_font, fill="black")
    for n in (1, 2, 3):
        ruled = y + n * box_h // 4
        draw.line([(margin + px(10), ruled), (width - margin - px(10), ruled)], fill=(150, 150, 150), width=1)
    boxes.append((margin, y + px(50), width - margin, y + box_h))
    y += box_h + px(70)
    draw.text((width - margin - px(330), y + px(25)), layout.sign, font=label_font, fill="black", anchor="rm")
    draw.line(
        [(width - margin - px(300), y + px(50)), (width - margin, y + px(50))], fill="black", width=line
    )
    boxes.append((width - margin - px(300), y, width - margin, y + px(50)))
    footer = f"Form {name.upper()}-{sum(map(ord, name)) % 97:02d}  rev. 2024"
    draw.text((margin, height - px(80)), footer, font=load_font("en", px(20)), fill=(60, 60, 60))
    if fill is not None:
        _fill(draw, layout, boxes, fill, k)
    return Form(np.asarray(image, dtype=np.uint8), tuple(boxes))


def _fill(draw: ImageDraw.ImageDraw, layout: Layout, boxes: list[Box], seed: int, k: float) -> None:
    """Write values the sample does not have: text in the value boxes, ticks, remarks."""
    rng = np.random.default_rng(seed)
    values = VALUES[layout.lang]
    ink = (20, 30, 130)
    font = load_font(layout.lang, round(30 * k))
    for left, top, right, bottom in boxes:
        if right - left < 60 * k:  # a checkbox: ticked or not
            if rng.random() < 0.5:
                draw.line(
                    [(left + 5, top + 5), (right - 5, bottom - 5)], fill=ink, width=max(2, round(4 * k))
                )
                draw.line(
                    [(left + 5, bottom - 5), (right - 5, top + 5)], fill=ink, width=max(2, round(4 * k))
                )
        elif bottom - top > 150 * k:  # remarks: a few lines
            for n in range(3):
                text = " ".join(rng.choice(values, size=3))
                draw.text((left + 30 * k, top + (20 + 62 * n) * k), text, font=font, fill=ink)
        else:
            text = " ".join(rng.choice(values, size=2))
            offset = float(rng.integers(10, 40)) * k
            draw.text((left + offset, (top + bottom) / 2), text, font=font, fill=ink, anchor="lm")


@dataclass(frozen=True)
class Shot:
    """How a page is scanned or photographed."""

    angle: float = 0.0  # degrees, besides the quarter turns
    quarter: int = 0  # 90-degree turns
    scale: float = 1.0  # page pixels per template pixel
    perspective: float = 0.0  # each corner moves up to this share of the page's width / height
    canvas: float = 1.1  # frame size over the page's bounding box (darker background around it)
    blur: float = 0.0  # Gaussian sigma, in template pixels
    noise: float = 0.0  # sigma, grey levels
    jpeg: int | None = None  # JPEG quality
    light: float = 0.0  # darkening towards one corner, 0..1
    seed: int = 0


def warp_page(image: RGB, shot: Shot) -> tuple[RGB, NDArray[np.float64]]:
    """Photograph ``image`` as ``shot`` says; returns the page and the true homography (image -> page)."""
    rng = np.random.default_rng(shot.seed)
    height, width = image.shape[:2]
    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    angle = math.radians(shot.angle + 90 * shot.quarter)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    jitter = rng.uniform(-shot.perspective, shot.perspective, size=(4, 2)) * np.array([width, height])
    dst = (src - [width / 2, height / 2] + jitter) @ rotation.T * shot.scale
    low, high = dst.min(axis=0), dst.max(axis=0)
    frame = (high - low) * shot.canvas
    slack = frame - (high - low)
    dst += slack / 2 - low + rng.uniform(-0.4, 0.4, size=2) * slack / 2
    size = (int(frame[0]), int(frame[1]))
    homography = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(
        np.float64
    )
    texture = rng.integers(35, 75, size=(8, 8, 3), dtype=np.uint8)
    page = cv2.resize(texture, size, interpolation=cv2.INTER_CUBIC)
    cv2.warpPerspective(
        image, homography, size, dst=page, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT
    )
    if shot.light:
        ys, xs = np.mgrid[0:8, 0:8].astype(np.float32) / 7
        gain = cv2.resize(1 - shot.light * (0.5 * xs + 0.5 * ys) ** 1.5, size, interpolation=cv2.INTER_CUBIC)
        page = np.clip(page * gain[..., None], 0, 255).astype(np.uint8)
    if shot.blur:
        page = cv2.GaussianBlur(page, (0, 0), shot.blur * shot.scale)
    if shot.noise:
        noisy = page + rng.standard_normal(page.shape, dtype=np.float32) * shot.noise
        page = np.clip(noisy, 0, 255).astype(np.uint8)
    if shot.jpeg:
        ok, data = cv2.imencode(".jpg", page[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, shot.jpeg])
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        assert ok and decoded is not None
        page = np.ascontiguousarray(decoded[..., ::-1])
    return np.ascontiguousarray(page), homography


def errors(
    true: NDArray[np.float64], found: NDArray[np.float64], points: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Distances in template pixels: points mapped by ``found``, back through ``true``."""
    back = apply_homography(
        np.asarray(np.linalg.inv(true), dtype=np.float64), apply_homography(found, points)
    )
    distances: NDArray[np.float64] = np.linalg.norm(back - points, axis=1)
    return distances


@lru_cache(maxsize=8)
def sample_features(name: str) -> Features:
    """The blank sample's features (cached: a template is prepared once)."""
    return extract_features(render_form(name).image)


SHOTS = {
    "scan-shifted": Shot(angle=1.5, canvas=1.05, jpeg=80, seed=1),
    "photo-rot15-persp": Shot(
        angle=-15, scale=1.3, perspective=0.15, canvas=1.3, blur=1.0, noise=5, jpeg=50, light=0.5, seed=2
    ),
    "sideways-90": Shot(angle=4, quarter=1, scale=0.8, canvas=1.15, jpeg=70, seed=3),
    "upside-down-180": Shot(angle=-3, quarter=2, scale=1.0, perspective=0.05, jpeg=50, seed=4),
    "sideways-270-large": Shot(angle=7, quarter=3, scale=2.0, perspective=0.08, blur=1.5, jpeg=60, seed=5),
    "photo-small-in-frame": Shot(
        angle=10, scale=0.6, perspective=0.12, canvas=1.5, noise=6, jpeg=50, light=0.6, seed=6
    ),
    "photo-blurred": Shot(angle=-6, scale=0.9, perspective=0.1, canvas=1.2, blur=3.0, jpeg=60, seed=7),
}


@pytest.mark.parametrize(
    ("name", "shot"),
    [("ko", s) for s in SHOTS.values()] + [("ja", SHOTS["photo-rot15-persp"])],
    ids=[*SHOTS, "ja-photo"],
)
def test_align_recovers_box_corners(name: str, shot: Shot) -> None:
    filled = render_form(name, fill=shot.seed + 100)
    page, true = warp_page(filled.image, shot)
    alignment = align(sample_features(name), extract_features(page))
    assert alignment is not None
    error = errors(true, alignment.homography, filled.corners())
    assert float(np.median(error)) < 3.0
    assert float(error.max()) < 8.0
    assert float(np.median(error)) < 1.0  # refinement is sub-pixel, not just within the targets
    assert alignment.score >= DEFAULT_THRESHOLD + 0.2


def test_align_small_template_and_small_photo() -> None:
    """A 100 dpi sample and a whole photo of about 800 x 1100 pixels."""
    size = (827, 1169)
    template = extract_features(render_form("zh-TW", size=size).image)
    filled = render_form("zh-TW", fill=3, size=size)
    page, true = warp_page(
        filled.image, Shot(angle=8, scale=0.75, perspective=0.1, canvas=1.25, noise=4, jpeg=50, seed=8)
    )
    assert max(page.shape[:2]) < 1300
    alignment = align(template, extract_features(page))
    assert alignment is not None
    error = errors(true, alignment.homography, filled.corners()) * 1240 / 827  # at 150 dpi
    assert float(np.median(error)) < 3.0
    assert float(error.max()) < 8.0


def test_refinement_helps_and_never_hurts() -> None:
    template = sample_features("ko")
    filled = render_form("ko", fill=5)
    corners = filled.corners()
    for shot in (SHOTS["photo-rot15-persp"], SHOTS["photo-small-in-frame"], SHOTS["upside-down-180"]):
        page, true = warp_page(filled.image, shot)
        features = extract_features(page)
        coarse = coarse_match(template, features)
        assert coarse is not None
        refined = refine(template, features, coarse.homography)
        before = errors(true, coarse.homography, corners)
        after = errors(true, refined.homography, corners)
        assert float(after.max()) <= float(before.max()) + 0.25
        assert float(np.mean(after)) <= float(np.mean(before))
        # started from the truth, refinement stays there despite the filled-in ink
        exact = refine(template, features, true)
        assert float(errors(true, exact.homography, corners).max()) < 0.75
        # started a few pixels off (shifted and turned), it comes back
        nudge = np.array([[1.0, -0.004, 9.0], [0.004, 1.0, -7.0], [0.0, 0.0, 1.0]])
        recovered = refine(template, features, true @ nudge)
        assert float(errors(true, recovered.homography, corners).max()) < 1.0


def test_align_is_deterministic() -> None:
    page, _ = warp_page(render_form("ja", fill=9).image, SHOTS["photo-rot15-persp"])
    first = align(sample_features("ja"), extract_features(page))
    second = align(sample_features("ja"), extract_features(page))
    assert first is not None and second is not None
    assert np.array_equal(first.homography, second.homography)
    assert (first.inliers, first.inlier_ratio, first.score) == (
        second.inliers,
        second.inlier_ratio,
        second.score,
    )


def test_foreign_pages_do_not_align() -> None:
    template = sample_features("ko")
    rng = np.random.default_rng(0)
    blank = np.full((1754, 1240, 3), 246, dtype=np.uint8)
    noise = np.asarray(
        cv2.resize(rng.integers(0, 255, size=(220, 155, 3), dtype=np.uint8), (1240, 1754)), np.uint8
    )
    for image in (blank, noise):
        page, _ = warp_page(image, Shot(angle=5, canvas=1.2, noise=4, jpeg=60, seed=1))
        alignment = align(template, extract_features(page))
        assert alignment is None or alignment.score < DEFAULT_THRESHOLD - 0.2


def test_mirrored_page_is_not_aligned() -> None:
    page, _ = warp_page(render_form("ko", fill=2).image, SHOTS["scan-shifted"])
    alignment = align(sample_features("ko"), extract_features(np.ascontiguousarray(page[:, ::-1])))
    assert alignment is None or alignment.score < DEFAULT_THRESHOLD - 0.2


def test_plausible_rejects_degenerate_homographies() -> None:
    template = sample_features("ko")
    page = extract_features(np.full((2000, 1500, 3), 255, dtype=np.uint8))
    shift = np.array([[1.0, 0.0, 100.0], [0.0, 1.0, 80.0], [0.0, 0.0, 1.0]])
    assert plausible(shift, template, page)
    turned = np.array([[0.0, -1.0, 1800.0], [1.0, 0.0, 100.0], [0.0, 0.0, 1.0]]) @ np.diag([0.8, 0.8, 1.0])
    assert plausible(turned, template, page)
    mirrored = np.array([[-1.0, 0.0, 1300.0], [0.0, 1.0, 80.0], [0.0, 0.0, 1.0]])
    assert not plausible(mirrored, template, page)
    assert not plausible(
        np.array([[1.0, 2.0, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]), template, page
    )  # singular
    assert not plausible(np.diag([0.05, 0.05, 1.0]), template, page)  # a speck
    assert not plausible(
        np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.004, 0.0, 1.0]]), template, page
    )  # horizon
    assert not plausible(np.full((3, 3), np.nan), template, page)
