"""Handwriting-style fonts per script, found on disk, and text drawn with them the way a hand writes.

The fonts come from Debian packages (all free licences): Korean ``fonts-nanum-extra`` (Nanum Pen
Script, Nanum Brush Script; OFL-1.1), Japanese ``fonts-klee`` (Klee One; OFL-1.1), Traditional
Chinese ``fonts-arphic-ukai`` (AR PL UKai TW; Arphic Public License) and ``fonts-cwtex-kai``
(cwTeX Kai; GPL-2+), English ``fonts-dkg-handwriting`` (GPL-3+), ``fonts-breip`` (OFL-1.0) and
``fonts-comic-neue`` (OFL-1.1). (Humor Sans is capitals only and femkeklaver's digits are
hollow: neither is used.) They are searched
in ``TEMPLATEOCR_FONT_DIR`` first, then under ``/usr/share/fonts``. :func:`draw_handwriting`
draws a text with a per-character wobble (size, baseline, angle, spacing) and a slant.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from templateocr.synth.fonts import find_font_file

__all__ = [
    "HAND_FONTS",
    "HandFont",
    "available_hand_fonts",
    "covers",
    "draw_handwriting",
    "hand_font_path",
    "handwriting_width",
    "load_hand_font",
    "missing_packages",
]

_FONT_DIR_ENV = "TEMPLATEOCR_FONT_DIR"
_SYSTEM_DIR = Path("/usr/share/fonts")


@dataclass(frozen=True)
class HandFont:
    """One handwriting-style font: where it comes from, what it may be used for.

    ``face`` picks a face of a ``.ttc`` collection by the end of its family name; ``scale`` makes
    up for fonts whose glyphs are small for their nominal size.
    """

    family: str
    filename: str
    package: str
    licence: str
    langs: tuple[str, ...]
    face: str | None = None
    scale: float = 1.0


HAND_FONTS: tuple[HandFont, ...] = (
    HandFont("Nanum Pen Script", "NanumPen.ttf", "fonts-nanum-extra", "OFL-1.1", ("ko",), scale=1.3),
    HandFont("Nanum Brush Script", "NanumBrush.ttf", "fonts-nanum-extra", "OFL-1.1", ("ko",), scale=1.25),
    HandFont("Klee One", "KleeOne-Regular.ttf", "fonts-klee", "OFL-1.1", ("ja",)),
    HandFont("Klee One SemiBold", "KleeOne-SemiBold.ttf", "fonts-klee", "OFL-1.1", ("ja",)),
    HandFont("AR PL UKai TW", "ukai.ttc", "fonts-arphic-ukai", "Arphic-1999", ("zh-TW",), face="TW"),
    HandFont("cwTeX Kai", "cwkai.ttf", "fonts-cwtex-kai", "GPL-2+", ("zh-TW",)),
    HandFont("DkgHandwriting", "dkg.ttf", "fonts-dkg-handwriting", "GPL-3+", ("en",), scale=1.1),
    HandFont("Breip", "Breip.ttf", "fonts-breip", "OFL-1.0", ("en",), scale=1.1),
    HandFont("Comic Neue", "ComicNeue-Regular.otf", "fonts-comic-neue", "OFL-1.1", ("en",)),
)
"""Every handwriting-style font the benchmark knows, with its Debian package and licence."""


def _search_dirs() -> tuple[Path, ...]:
    extra = os.environ.get(_FONT_DIR_ENV)
    return ((Path(extra),) if extra else ()) + (_SYSTEM_DIR,)


@lru_cache(maxsize=64)
@lru_cache(maxsize=64)
def _face_index(path: Path, face: str) -> int:
    for index in range(16):
        try:
            family, _ = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        if family is not None and family.endswith(face):
            return index
    raise FileNotFoundError(f"{path} has no face ending in {face!r}")


def hand_font_path(font: HandFont) -> tuple[Path, int] | None:
    """The file and face index of ``font``, or None when its package is not installed."""
    path = find_font_file(font.filename, _search_dirs())
    if path is None:
        return None
    return path, (_face_index(path, font.face) if font.face else 0)


def available_hand_fonts(lang: str) -> tuple[HandFont, ...]:
    """The installed handwriting fonts for ``lang`` (``ko``, ``ja``, ``zh-TW``, ``en``), catalogue order."""
    return tuple(f for f in HAND_FONTS if lang in f.langs and hand_font_path(f) is not None)


def missing_packages() -> list[str]:
    """The Debian packages of :data:`HAND_FONTS` whose fonts are not found, sorted, without repeats."""
    return sorted({f.package for f in HAND_FONTS if hand_font_path(f) is None})


@lru_cache(maxsize=512)
def load_hand_font(font: HandFont, size: int) -> ImageFont.FreeTypeFont:
    """``font`` at a nominal ``size`` in pixels, corrected by its ``scale`` (cached).

    Raises:
        FileNotFoundError: when the font is not installed, naming its Debian package.
    """
    found = hand_font_path(font)
    if found is None:
        raise FileNotFoundError(
            f"font {font.filename} ({font.family}) not found; install the Debian package {font.package}"
        )
    path, index = found
    return ImageFont.truetype(str(path), max(6, round(size * font.scale)), index=index)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    mask = font.getmask(char)
    return bytes(mask) + bytes(str(mask.size), "ascii")


def covers(font: HandFont, text: str) -> bool:
    """Whether every non-space character of ``text`` has a glyph in ``font`` (not the .notdef box)."""
    loaded = load_hand_font(font, 32)
    notdef = _glyph(loaded, "\U0010fffd")
    return all(ch.isspace() or _glyph(loaded, ch) != notdef for ch in set(text))


@dataclass(frozen=True)
class _Placed:
    char: str
    size: int
    dx: float
    dy: float
    angle: float


def _plan(text: str, font: HandFont, size: int, rng: random.Random, wobble: float) -> list[_Placed]:
    placed = []
    for char in text:
        char_size = max(6, round(size * (1 + rng.uniform(-0.08, 0.08) * wobble)))
        placed.append(
            _Placed(
                char,
                char_size,
                rng.uniform(-0.04, 0.06) * size * wobble,
                rng.uniform(-0.06, 0.06) * size * wobble,
                rng.uniform(-5, 5) * wobble,
            )
        )
    return placed


def handwriting_width(text: str, font: HandFont, size: int) -> float:
    """About how wide :func:`draw_handwriting` writes ``text`` at ``size`` (without wobble or slant)."""
    return float(load_hand_font(font, size).getlength(text))


def _render_mask(placed: list[_Placed], font: HandFont, size: int, slant: float) -> NDArray[np.float32]:
    """The written text as an alpha mask, baseline at 1.6 x size from the top, origin at x = size."""
    loaded = load_hand_font(font, size)
    width = int(loaded.getlength("".join(p.char for p in placed)) * 1.25 + 3 * size)
    height = int(size * 2.6)
    canvas = Image.new("L", (width, height), 0)
    x, baseline = float(size), size * 1.6
    for p in placed:
        char_font = load_hand_font(font, p.size)
        advance = char_font.getlength(p.char)
        if not p.char.isspace():
            tile_size = int(p.size * 3)
            tile = Image.new("L", (tile_size, tile_size), 0)
            ImageDraw.Draw(tile).text(
                (tile_size / 2, tile_size / 2), p.char, font=char_font, fill=255, anchor="ms"
            )
            tile = tile.rotate(
                p.angle, resample=Image.Resampling.BICUBIC, center=(tile_size / 2, tile_size / 2)
            )
            left = round(x + advance / 2 + p.dx - tile_size / 2)
            top = round(baseline + p.dy - tile_size / 2)
            canvas.paste(255, (left, top), tile)
        x += advance + p.dx * 0.5
    if slant:
        # x' = x + slant * (baseline - y): letters lean right for positive slant
        coeffs = (1.0, slant, -slant * baseline, 0.0, 1.0, 0.0)
        canvas = canvas.transform(canvas.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BICUBIC)
    return np.asarray(canvas, dtype=np.float32) / 255.0


def draw_handwriting(
    image: Image.Image,
    origin: tuple[float, float],
    text: str,
    font: HandFont,
    size: int,
    *,
    ink: tuple[int, int, int],
    seed: int,
    wobble: float = 1.0,
    slant: float | None = None,
) -> tuple[float, float, float, float]:
    """Write ``text`` on ``image`` (in place) with its baseline starting at ``origin``.

    Args:
        image: an RGB image, changed in place.
        origin: ``(x, y)`` of the start of the baseline, in pixels.
        text: one line of text.
        font: the handwriting font.
        size: nominal size in pixels.
        ink: the pen colour.
        seed: the wobble and slant.
        wobble: 0 for a steady hand, 1 for a normal one.
        slant: shear (x per y); a random one in [-0.12, 0.2] by default.

    Returns:
        The box ``(left, top, right, bottom)`` of the ink drawn, in image pixels (all zeros for none).
    """
    rng = random.Random(f"hand:{seed}")
    lean = rng.uniform(-0.12, 0.2) * wobble if slant is None else slant
    mask = _render_mask(_plan(text, font, size, rng, wobble), font, size, lean)
    ys, xs = np.nonzero(mask > 0.05)
    if len(xs) == 0:
        return (0.0, 0.0, 0.0, 0.0)
    off_x, off_y = round(origin[0] - size), round(origin[1] - size * 1.6)
    w, h = image.size
    y0, y1 = max(0, off_y), min(h, off_y + mask.shape[0])
    x0, x1 = max(0, off_x), min(w, off_x + mask.shape[1])
    if y0 >= y1 or x0 >= x1:
        return (0.0, 0.0, 0.0, 0.0)
    alpha = mask[y0 - off_y : y1 - off_y, x0 - off_x : x1 - off_x, None] * np.float32(0.95)
    region = np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"), dtype=np.float32)
    colour = np.array(ink, dtype=np.float32)[None, None, :]
    written = np.minimum(region, region * (1 - alpha) + colour * alpha)
    image.paste(Image.fromarray(np.clip(written, 0, 255).astype(np.uint8), mode="RGB"), (x0, y0))
    return (
        float(xs.min() + off_x),
        float(ys.min() + off_y),
        float(xs.max() + off_x + 1),
        float(ys.max() + off_y + 1),
    )
