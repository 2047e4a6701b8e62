"""The characters the recognizer reads: every Hangul syllable of KS X 1001, printable ASCII and the
symbols of Korean forms. Index 0 of the model's output is the CTC blank; character ``i`` of
:data:`CHARSET` is class ``i + 1``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["CHARSET", "HANGUL", "decode_labels", "encode", "hangul_ksx1001", "normalize_text"]


def hangul_ksx1001() -> str:
    """The 2,350 precomposed Hangul syllables of KS X 1001 (those EUC-KR can encode), in order."""
    chars = []
    for code in range(0xAC00, 0xD7A4):
        char = chr(code)
        try:
            encoded = char.encode("euc-kr")
        except UnicodeEncodeError:
            continue
        # KS X 1001's Hangul block: lead bytes 0xB0-0xC8 (Python's codec writes the rest of the
        # 11,172 syllables as 8-byte jamo sequences, which are not in the set).
        if len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xC8:
            chars.append(char)
    return "".join(chars)


HANGUL = hangul_ksx1001()
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
_SYMBOLS = "·※₩℃㈜°±×÷〒→「」『』【】〈〉《》○●□■☆★△▲"
CHARSET = _ASCII + _SYMBOLS + HANGUL
"""Space first, then the rest of ASCII, the symbols and the Hangul syllables."""

_FOLD = {"\u3000": " ", "～": "~", "－": "-", "―": "-", "‐": "-", "–": "-", "—": "-", "’": "'", "‘": "'"}
_FOLD.update({"“": '"', "”": '"', "ㆍ": "·", "•": "·", "￦": "₩"})


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    return {char: i + 1 for i, char in enumerate(CHARSET)}


def normalize_text(text: str) -> str:
    """Full-width forms folded to ASCII, look-alike dashes and quotes folded, spaces collapsed."""
    out = []
    for char in text:
        char = _FOLD.get(char, char)
        if "\uff01" <= char <= "\uff5e":
            char = unicodedata.normalize("NFKC", char)
        out.append(char)
    return " ".join("".join(out).split())


def encode(text: str) -> list[int]:
    """Class ids of ``text`` (normalized); raises ``KeyError`` for a character outside the set."""
    index = _index()
    return [index[char] for char in normalize_text(text)]


def decode_labels(ids: list[int]) -> str:
    """The text of class ids (no blanks, no CTC collapsing: that is the decoder's job)."""
    return "".join(CHARSET[i - 1] for i in ids if i > 0)
