"""The characters the recognizer reads: every Hangul syllable of KS X 1001, printable ASCII and the
symbols of Korean forms; and the model's classes that spell them (its alphabet). Index 0 of the
model's output is the CTC blank; token ``i`` of :func:`tokens` is class ``i + 1``.

Two alphabets (:mod:`templateocr.engines.jamo`): ``syllables``, one class per character of
:data:`CHARSET`; ``jamo``, the same but each Hangul syllable spelled as its two or three jamo.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from templateocr.engines.jamo import JAMO, JAMO_ALPHABET, SYLLABLES, join_jamo, split_syllables

__all__ = [
    "ALPHABETS",
    "CHARSET",
    "HANGUL",
    "decode_labels",
    "encode",
    "hangul_ksx1001",
    "normalize_text",
    "tokens",
]


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
ALPHABETS = (SYLLABLES, JAMO_ALPHABET)
_CHARS = frozenset(CHARSET)


@cache
def tokens(alphabet: str = SYLLABLES) -> str:
    """The classes of a model of ``alphabet``, in order (class ``i + 1`` is token ``i``)."""
    if alphabet == SYLLABLES:
        return CHARSET
    if alphabet == JAMO_ALPHABET:
        return _ASCII + _SYMBOLS + JAMO
    raise ValueError(f"unknown alphabet {alphabet!r}; expected one of {', '.join(ALPHABETS)}")


_FOLD = {"\u3000": " ", "～": "~", "－": "-", "―": "-", "‐": "-", "–": "-", "—": "-", "’": "'", "‘": "'"}
_FOLD.update({"“": '"', "”": '"', "ㆍ": "·", "•": "·", "￦": "₩"})


@cache
def _index(alphabet: str) -> dict[str, int]:
    return {char: i + 1 for i, char in enumerate(tokens(alphabet))}


def normalize_text(text: str) -> str:
    """Full-width forms folded to ASCII, look-alike dashes and quotes folded, spaces collapsed."""
    out = []
    for char in text:
        char = _FOLD.get(char, char)
        if "\uff01" <= char <= "\uff5e":
            char = unicodedata.normalize("NFKC", char)
        out.append(char)
    return " ".join("".join(out).split())


def encode(text: str, alphabet: str = SYLLABLES) -> list[int]:
    """Class ids of ``text`` (normalized); raises ``KeyError`` for a character outside the set."""
    index = _index(alphabet)
    text = normalize_text(text)
    if alphabet == JAMO_ALPHABET:
        missing = set(text) - _CHARS
        if missing:
            raise KeyError(f"not in the charset: {''.join(sorted(missing))}")
        text = split_syllables(text)
    return [index[char] for char in text]


def decode_labels(ids: list[int], alphabet: str = SYLLABLES) -> str:
    """The text of class ids (no blanks, no CTC collapsing: that is the decoder's job)."""
    spelled = "".join(tokens(alphabet)[i - 1] for i in ids if i > 0)
    if alphabet == JAMO_ALPHABET:
        count = len(spelled)
        return join_jamo(spelled, [0.0] * count, [1.0] * count)[0]
    return spelled
