"""Fonts for synthetic forms: Noto CJK for Korean, Japanese and Traditional Chinese, DejaVu for English.

The Debian packages ``fonts-noto-cjk`` and ``fonts-dejavu-core`` install them under
``/usr/share/fonts``; ``TEMPLATEOCR_FONT_DIR`` names an extra directory searched first. Noto CJK
ships as ``.ttc`` collections holding one face per region; the face is picked by its family name
(``Noto Sans CJK KR`` for Korean, ``JP`` for Japanese, ``TC`` for Traditional Chinese), never by a
hard-coded index.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FONT_DIR_ENV", "LANGS", "STYLES", "find_font_file", "font_path", "load_font"]

FONT_DIR_ENV = "TEMPLATEOCR_FONT_DIR"
LANGS: tuple[str, ...] = ("ko", "ja", "zh-TW", "en")
STYLES: tuple[str, ...] = ("sans", "serif", "bold")

_SYSTEM_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts"),
)
_CJK_REGION = {"ko": "KR", "ja": "JP", "zh-TW": "TC"}
_CJK_FILES = {
    "sans": "NotoSansCJK-Regular.ttc",
    "bold": "NotoSansCJK-Bold.ttc",
    "serif": "NotoSerifCJK-Regular.ttc",
}
_DEJAVU_FILES = {"sans": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "serif": "DejaVuSerif.ttf"}


def _search_dirs() -> list[Path]:
    extra = os.environ.get(FONT_DIR_ENV)
    dirs = [Path(extra)] if extra else []
    return dirs + list(_SYSTEM_DIRS)


@lru_cache(maxsize=64)
def find_font_file(filename: str, dirs: tuple[Path, ...]) -> Path | None:
    """The first file called ``filename`` directly in, then anywhere below, one of ``dirs``."""
    for directory in dirs:
        candidate = directory / filename
        if candidate.is_file():
            return candidate
    for directory in dirs:
        if directory.is_dir():
            for candidate in sorted(directory.rglob(filename)):
                if candidate.is_file():
                    return candidate
    return None


@lru_cache(maxsize=64)
def _face_index(path: Path, region: str) -> int:
    """The index of the ``Noto * CJK <region>`` face (not the monospaced one) in a collection."""
    for index in range(16):
        try:
            family, _ = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        if family is not None and family.endswith(f"CJK {region}") and "Mono" not in family:
            return index
    raise FileNotFoundError(f"{path} has no Noto CJK {region} face")


def font_path(lang: str, style: str = "sans") -> tuple[Path, int]:
    """The font file and face index for a language and style.

    Args:
        lang: ``ko``, ``ja``, ``zh-TW`` or ``en``.
        style: ``sans``, ``serif`` or ``bold``.

    Returns:
        ``(path, index)``: the file and the face index inside it (0 for a plain font file).

    Raises:
        ValueError: for an unknown language or style.
        FileNotFoundError: when the font is not installed, naming the Debian package to install.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if style not in STYLES:
        raise ValueError(f"unknown font style {style!r}; use one of {', '.join(STYLES)}")
    dirs = tuple(_search_dirs())
    if lang == "en":
        filename, package = _DEJAVU_FILES[style], "fonts-dejavu-core"
    else:
        filename, package = _CJK_FILES[style], "fonts-noto-cjk"
    path = find_font_file(filename, dirs)
    if path is None:
        searched = ", ".join(str(d) for d in dirs)
        raise FileNotFoundError(
            f"font {filename} not found (searched {searched}); install the Debian package {package} "
            f"or put the file in ${FONT_DIR_ENV}"
        )
    if lang == "en":
        return path, 0
    return path, _face_index(path, _CJK_REGION[lang])


@lru_cache(maxsize=256)
def load_font(lang: str, size: int, style: str = "sans") -> ImageFont.FreeTypeFont:
    """The font for a language and style at ``size`` pixels (cached)."""
    path, index = font_path(lang, style)
    return ImageFont.truetype(str(path), int(size), index=index)
