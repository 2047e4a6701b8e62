"""Rendered field crops for the engine tests.

Crops are drawn with Pillow in the Noto CJK / DejaVu fonts (``templateocr.synth.fonts``), about
the size a field has at 150 dpi: text 18-34 px tall, white margins, optionally the printed box
around it, optionally degraded like a scan (gray paper, blur, noise, JPEG).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from templateocr.synth.fonts import load_font

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Crop:
    """A rendered crop: RGB pixels, the text per line, and each drawn word's ink box."""

    image: NDArray[np.uint8]
    lines: tuple[str, ...]
    words: tuple[tuple[str, Box], ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render(
    lines: str | Sequence[str],
    lang: str = "en",
    *,
    style: str = "sans",
    size: int = 28,
    pad: tuple[int, int] = (16, 12),
    box: bool = False,
    leading: float = 1.45,
    width: int | None = None,
    height: int | None = None,
) -> Crop:
    """Draw ``lines`` black on white; ``box`` adds the printed field border at the crop's edges."""
    texts = (lines,) if isinstance(lines, str) else tuple(lines)
    font = load_font(lang, size, style)
    ascent, descent = font.getmetrics()
    step = round(size * leading)
    text_w = max((round(font.getlength(t)) for t in texts), default=0)
    w = width or text_w + 2 * pad[0]
    h = height or step * (len(texts) - 1) + ascent + descent + 2 * pad[1]
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)
    words: list[tuple[str, Box]] = []
    for n, text in enumerate(texts):
        y = pad[1] + n * step
        draw.text((pad[0], y), text, font=font, fill="black")
        start = 0
        for word in text.split(" "):
            if word:
                x = pad[0] + font.getlength(text[:start])
                left, top, right, bottom = draw.textbbox((x, y), word, font=font)
                words.append((word, (float(left), float(top), float(right), float(bottom))))
            start += len(word) + 1
    if box:
        draw.rectangle((1, 1, w - 2, h - 2), outline="black", width=2)
    return Crop(np.asarray(image, dtype=np.uint8).copy(), texts, tuple(words))


def degrade(image: NDArray[np.uint8], seed: int = 0, *, paper: int = 215) -> NDArray[np.uint8]:
    """Like a mediocre scan: gray paper, a slight blur, noise and JPEG at quality 60."""
    rng = np.random.default_rng(seed)
    gray = np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.float32)
    gray = paper - (255.0 - gray) * (paper - 20) / 255.0
    gray = np.asarray(cv2.GaussianBlur(gray, (0, 0), 0.9), dtype=np.float32)
    noisy = gray + rng.normal(0.0, 10.0, gray.shape)
    gray8 = np.clip(noisy, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", gray8, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    decoded = np.asarray(cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE), dtype=np.uint8)
    return np.ascontiguousarray(np.stack([decoded] * 3, axis=-1))


def blank(
    width: int = 420, height: int = 60, *, box: bool = False, noise: bool = False, seed: int = 0
) -> NDArray[np.uint8]:
    """An empty field: white paper, optionally its printed border, optionally scan noise."""
    image = Image.new("RGB", (width, height), "white")
    if box:
        ImageDraw.Draw(image).rectangle((1, 1, width - 2, height - 2), outline="black", width=2)
    pixels = np.asarray(image, dtype=np.uint8).copy()
    return degrade(pixels, seed) if noise else pixels


def squash(text: str) -> str:
    """NFKC, without any whitespace (PP-OCR drops spaces between CJK characters)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def joined(words: Sequence[object]) -> str:
    """Words joined the way the pipeline joins them (space, newline after a line's last word)."""
    parts: list[str] = []
    for i, word in enumerate(words):
        parts.append(word.text)  # type: ignore[attr-defined]
        if i < len(words) - 1:
            parts.append("\n" if word.line_break else " ")  # type: ignore[attr-defined]
    return "".join(parts)


def overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller
