"""The fonts the recognizer is trained and evaluated with, and the split between the two.

Every font comes from a Debian package or, for the many handwriting styles Debian lacks, from a
Fontsource npm package (Google Fonts' families under the OFL or Apache licence; ``fonts/package.json``,
installed into ``fonts/node_modules`` by ``scripts/setup --test``). The split is fixed here,
before any training: a held-out font, and any font of the same design (a weight or
an "Eco" cut of it), is never drawn for training, so the evaluation on held-out fonts measures
how the model reads a hand or a typeface it has never seen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

from templateocr.synth.fonts import find_font_file
from templateocr.training.charset import CHARSET
from templateocr.training.woff import opentype_path

__all__ = [
    "FONTS",
    "PACKAGES",
    "Split",
    "Style",
    "TrainFont",
    "covered",
    "font_path",
    "fonts_for",
    "load",
    "missing_fonts",
]

_FONT_DIR_ENV = "TEMPLATEOCR_FONT_DIR"
_SYSTEM_DIR = Path("/usr/share/fonts")
_NPM_DIR = Path(__file__).resolve().parents[3] / "fonts" / "node_modules" / "@fontsource"
"""Where ``scripts/setup`` installs the Fontsource packages (training runs from a checkout)."""


class Style(StrEnum):
    """How a font looks: typeset, or like a person's handwriting."""

    PRINT = "print"
    HAND = "hand"


class Split(StrEnum):
    """Whether a font may be used for training or is kept for the evaluation."""

    TRAIN = "train"
    HELD_OUT = "held-out"


@dataclass(frozen=True)
class TrainFont:
    """One font file (and face of a collection) with its package, licence, scripts and role."""

    filename: str
    package: str
    licence: str
    style: Style
    split: Split
    hangul: bool
    family: str | None = None
    """For a ``.ttc`` collection: the family name of the face to use."""
    scale: float = 1.0
    """Makes up for fonts whose glyphs are small for their nominal size."""

    @property
    def name(self) -> str:
        """The file name, with the face's family for collections."""
        return f"{self.filename}:{self.family}" if self.family else self.filename


P, H = Style.PRINT, Style.HAND
T, X = Split.TRAIN, Split.HELD_OUT
_NOTO = ("fonts-noto-cjk", "OFL-1.1")
_NANUM = ("fonts-nanum", "OFL-1.1")
_NANUM_X = ("fonts-nanum-extra", "OFL-1.1")
_UN = ("fonts-unfonts-core", "GPL-2")
_UN_X = ("fonts-unfonts-extra", "GPL-2")
_BAEKMUK = ("fonts-baekmuk", "Baekmuk (MIT-like)")
_ALEE = ("fonts-alee", "Artistic")


def _f(
    filename: str,
    source: tuple[str, str],
    style: Style,
    split: Split,
    hangul: bool = True,
    family: str | None = None,
    scale: float = 1.0,
) -> TrainFont:
    return TrainFont(filename, source[0], source[1], style, split, hangul, family, scale)


_APACHE = frozenset({"coming-soon", "crafty-girls", "just-another-hand", "schoolbell", "walter-turncoat"})
"""The Fontsource families under the Apache licence (as their packages say); the rest are OFL-1.1."""

_LATIN_HANDS = (
    "shadows-into-light",
    "gloria-hallelujah",
    "architects-daughter",
    "handlee",
    "just-another-hand",
    "coming-soon",
    "neucha",
    "short-stack",
    "mali",
    "itim",
    "over-the-rainbow",
    "sue-ellen-francisco",
    "the-girl-next-door",
    "annie-use-your-telescope",
    "delius",
    "crafty-girls",
    "walter-turncoat",
    "covered-by-your-grace",
    "edu-sa-beginner",
    "playpen-sans",
    "sriracha",
)
"""Fontsource's Latin handwriting-style families trained on at their regular weight and size."""


def _npm(
    family: str, style: Style, split: Split, hangul: bool = True, weight: int = 400, scale: float = 1.0
) -> TrainFont:
    """A Fontsource package's font: its ``korean`` subset (every KS X 1001 syllable with the
    Latin, digits and punctuation of forms) or, for a Latin font, its ``latin`` subset."""
    subset = "korean" if hangul else "latin"
    filename = f"{family}/files/{family}-{subset}-{weight}-normal.woff"
    licence = "Apache-2.0" if family in _APACHE else "OFL-1.1"
    return TrainFont(filename, f"@fontsource/{family} (npm)", licence, style, split, hangul, scale=scale)


FONTS: tuple[TrainFont, ...] = (
    # Korean, typeset: training
    _f("NotoSansCJK-Regular.ttc", _NOTO, P, T, family="Noto Sans CJK KR"),
    _f("NotoSansCJK-Bold.ttc", _NOTO, P, T, family="Noto Sans CJK KR"),
    _f("NotoSerifCJK-Regular.ttc", _NOTO, P, T, family="Noto Serif CJK KR"),
    _f("NotoSerifCJK-Bold.ttc", _NOTO, P, T, family="Noto Serif CJK KR"),
    _f("NotoSansCJK-Regular.ttc", _NOTO, P, T, family="Noto Sans Mono CJK KR"),
    _f("NanumBarunGothic.ttf", _NANUM, P, T),
    _f("NanumBarunGothicBold.ttf", _NANUM, P, T),
    _f("NanumBarunGothicLight.ttf", _NANUM, P, T),
    _f("NanumSquareR.ttf", _NANUM, P, T),
    _f("NanumSquareB.ttf", _NANUM, P, T),
    _f("NanumSquareRoundR.ttf", _NANUM, P, T),
    _f("NanumGothicCoding.ttf", ("fonts-nanum-coding", "OFL-1.1"), P, T),
    _f("UnBatang.ttf", _UN, P, T),
    _f("UnBatangBold.ttf", _UN, P, T),
    _f("UnDotum.ttf", _UN, P, T),
    _f("UnDotumBold.ttf", _UN, P, T),
    _f("UnGraphic.ttf", _UN, P, T),
    _f("UnDinaru.ttf", _UN, P, T),
    _f("UnTaza.ttf", _UN_X, P, T),
    _f("UnVada.ttf", _UN_X, P, T),
    _f("UnJamoBatang.ttf", _UN_X, P, T),
    _f("UnJamoDotum.ttf", _UN_X, P, T),
    _f("UnJamoSora.ttf", _UN_X, P, T),
    _f("UnJamoNovel.ttf", _UN_X, P, T),
    _f("batang.ttf", _BAEKMUK, P, T),
    _f("gulim.ttf", _BAEKMUK, P, T),
    _f("hline.ttf", _BAEKMUK, P, T),
    _f("LexiSaebomR.ttf", ("fonts-lexi-saebom", "GPL-2+"), P, T),
    _f("Bandal.ttf", _ALEE, P, T),
    _f("Bangwool.ttf", _ALEE, P, T),
    _f("Eunjin.ttf", _ALEE, P, T),
    _f("Guseul.ttf", _ALEE, P, T),
    # Korean, typeset: held out (their Eco and YetHangul cuts are used for nothing)
    _f("NanumGothic.ttf", _NANUM, P, X),
    _f("NanumGothicBold.ttf", _NANUM, P, X),
    _f("NanumMyeongjo.ttf", _NANUM, P, X),
    _f("NanumMyeongjoBold.ttf", _NANUM, P, X),
    _f("dotum.ttf", _BAEKMUK, P, X),
    _f("UnShinmun.ttf", _UN_X, P, X),
    _f("LexiGulim.ttf", ("fonts-lexi-gulim", "GPL-2+"), P, X),
    # Korean, handwriting-style: training
    _f("NanumBrush.ttf", _NANUM_X, H, T, scale=1.25),
    _f("NanumBarunpenR.ttf", _NANUM, H, T),
    _f("NanumBarunpenB.ttf", _NANUM, H, T),
    _f("UnPen.ttf", _UN_X, H, T),
    _f("UnPenheulim.ttf", _UN_X, H, T),
    _f("EunjinNakseo.ttf", _ALEE, H, T),
    _f("UnGungseo.ttf", _UN, H, T),
    # Korean, handwriting-style: held out (UnPilgia is a cut of UnPilgi: held out with it)
    _f("NanumPen.ttf", _NANUM_X, H, X, scale=1.3),
    _f("UnPilgi.ttf", _UN, H, X),
    _f("UnPilgiBold.ttf", _UN, H, X),
    _f("UnPilgia.ttf", _UN_X, H, X),
    # Latin, typeset: training
    _f("DejaVuSans.ttf", ("fonts-dejavu-core", "Bitstream-Vera"), P, T, hangul=False),
    _f("DejaVuSans-Bold.ttf", ("fonts-dejavu-core", "Bitstream-Vera"), P, T, hangul=False),
    _f("DejaVuSerif.ttf", ("fonts-dejavu-core", "Bitstream-Vera"), P, T, hangul=False),
    _f("DejaVuSansMono.ttf", ("fonts-dejavu-core", "Bitstream-Vera"), P, T, hangul=False),
    _f("LiberationSans-Regular.ttf", ("fonts-liberation2", "OFL-1.1"), P, T, hangul=False),
    _f("LiberationSans-Bold.ttf", ("fonts-liberation2", "OFL-1.1"), P, T, hangul=False),
    _f("LiberationMono-Regular.ttf", ("fonts-liberation2", "OFL-1.1"), P, T, hangul=False),
    _f("FreeSans.ttf", ("fonts-freefont-ttf", "GPL-3+"), P, T, hangul=False),
    _f("FreeSerif.ttf", ("fonts-freefont-ttf", "GPL-3+"), P, T, hangul=False),
    _f("FreeMono.ttf", ("fonts-freefont-ttf", "GPL-3+"), P, T, hangul=False),
    _f("Cabin-Regular.otf", ("fonts-cabin", "OFL-1.1"), P, T, hangul=False),
    _f("Andika-Regular.ttf", ("fonts-sil-andika", "OFL-1.1"), P, T, hangul=False),
    _f("LinBiolinum_R.otf", ("fonts-linuxlibertine", "GPL-2+/OFL-1.1"), P, T, hangul=False),
    _f("LinLibertine_R.otf", ("fonts-linuxlibertine", "GPL-2+/OFL-1.1"), P, T, hangul=False),
    # Latin, typeset: held out
    _f("LiberationSerif-Regular.ttf", ("fonts-liberation2", "OFL-1.1"), P, X, hangul=False),
    _f("Carlito-Regular.ttf", ("fonts-crosextra-carlito", "OFL-1.1"), P, X, hangul=False),
    # Latin, handwriting-style: training
    _f("dkg.ttf", ("fonts-dkg-handwriting", "GPL-3+"), H, T, hangul=False, scale=1.1),
    _f("dkgBd.ttf", ("fonts-dkg-handwriting", "GPL-3+"), H, T, hangul=False, scale=1.1),
    _f("ComicNeue-Regular.otf", ("fonts-comic-neue", "OFL-1.1"), H, T, hangul=False),
    _f("ComicNeue-Bold.otf", ("fonts-comic-neue", "OFL-1.1"), H, T, hangul=False),
    _f("ComicNeue-Italic.otf", ("fonts-comic-neue", "OFL-1.1"), H, T, hangul=False),
    _f("Purisa.ttf", ("fonts-tlwg-purisa", "GPL-2+ with font exception"), H, T, hangul=False),
    _f("Purisa-Bold.ttf", ("fonts-tlwg-purisa", "GPL-2+ with font exception"), H, T, hangul=False),
    _f("Kristi.ttf", ("fonts-kristi", "OFL-1.1"), H, T, hangul=False, scale=1.2),
    _f("TomsonTalks.ttf", ("fonts-tomsontalks", "OFL-1.1"), H, T, hangul=False),
    _f("Ecolier-court.ttf", ("fonts-ecolier-court", "OFL-1.1"), H, T, hangul=False, scale=1.3),
    # Latin, handwriting-style: held out
    _f("Breip.ttf", ("fonts-breip", "OFL-1.0"), H, X, hangul=False, scale=1.1),
    # Fontsource (npm), Korean: handwriting-style for training
    _npm("gaegu", H, T),
    _npm("gaegu", H, T, weight=700),
    _npm("gamja-flower", H, T),
    _npm("single-day", H, T),
    _npm("kirang-haerang", H, T),
    _npm("cute-font", H, T, scale=1.2),
    _npm("dongle", H, T, scale=1.35),
    _npm("east-sea-dokdo", H, T, scale=1.3),
    _npm("yeon-sung", H, T),  # its last package is 4.5.10 (packaging MIT; the font says OFL)
    _npm("black-and-white-picture", H, T),
    # ... typeset for training
    _npm("gowun-dodum", P, T),
    _npm("gowun-batang", P, T),
    _npm("song-myung", P, T),
    _npm("stylish", P, T),
    _npm("jua", P, T),
    # ... handwriting-style, held out
    _npm("hi-melody", H, X, scale=1.05),
    _npm("poor-story", H, X),
    # Fontsource, Latin: handwriting-style for training
    _npm("caveat", H, T, hangul=False, scale=1.15),
    _npm("caveat", H, T, hangul=False, weight=700, scale=1.15),
    _npm("kalam", H, T, hangul=False),
    _npm("kalam", H, T, hangul=False, weight=700),
    _npm("reenie-beanie", H, T, hangul=False, scale=1.2),
    _npm("gochi-hand", H, T, hangul=False, scale=1.2),
    *(_npm(family, H, T, hangul=False) for family in _LATIN_HANDS),
    # ... handwriting-style, held out
    _npm("patrick-hand", H, X, hangul=False),
    _npm("indie-flower", H, X, hangul=False),
    _npm("schoolbell", H, X, hangul=False),
    _npm("nothing-you-could-do", H, X, hangul=False),
)
"""Every font of training and evaluation. Korean fonts also write the Latin of mixed lines."""

PACKAGES: tuple[str, ...] = tuple(sorted({font.package for font in FONTS}))
"""The Debian and npm packages that install them."""


def _search_dirs() -> tuple[Path, ...]:
    extra = os.environ.get(_FONT_DIR_ENV)
    return ((Path(extra),) if extra else ()) + (_SYSTEM_DIR, _NPM_DIR)


@cache
def _face(path: Path, family: str | None) -> int:
    if family is None:
        return 0
    for index in range(32):
        try:
            name, _ = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        if name == family:
            return index
    raise FileNotFoundError(f"{path} has no face {family!r}")


def font_path(font: TrainFont) -> Path | None:
    """Where the font's file is on this machine (None: not installed)."""
    return find_font_file(font.filename, _search_dirs())


def missing_fonts() -> list[TrainFont]:
    """The catalogue's fonts that are not on this machine."""
    return [font for font in FONTS if font_path(font) is None]


@lru_cache(maxsize=4096)
def load(font: TrainFont, size: int) -> ImageFont.FreeTypeFont:
    """The font at a pixel size (times its ``scale``); ``FileNotFoundError`` when not installed."""
    path = font_path(font)
    if path is None:
        raise FileNotFoundError(f"font {font.filename} not found: install the package {font.package}")
    path = opentype_path(path)
    return ImageFont.truetype(str(path), max(6, round(size * font.scale)), index=_face(path, font.family))


def _glyph(loaded: ImageFont.FreeTypeFont, char: str) -> tuple[bytes, tuple[int, int]]:
    mask = loaded.getmask(char)
    return bytes(mask), mask.size


@cache
def covered(font: TrainFont) -> frozenset[str]:
    """The characters of :data:`CHARSET` the font draws (not as its .notdef box)."""
    loaded = load(font, 24)
    notdef = _glyph(loaded, "\U0010fffd")
    return frozenset(c for c in CHARSET if c == " " or _glyph(loaded, c) != notdef)


def fonts_for(split: Split, style: Style | None = None, *, hangul: bool | None = None) -> list[TrainFont]:
    """The installed fonts of a split, optionally of one style and with or without Hangul."""
    missing = set(missing_fonts())
    return [
        font
        for font in FONTS
        if font.split is split
        and (style is None or font.style is style)
        and (hangul is None or font.hangul is hangul)
        and font not in missing
    ]
