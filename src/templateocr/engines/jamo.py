"""Hangul syllables written as jamo for the recognizer, and read back.

A recognizer of the ``jamo`` alphabet reads a Hangul syllable as two or three classes, the
conjoining jamo of Unicode: its lead consonant (19), its vowel (21) and, when it has one, its
tail consonant (27). The 2,350 syllable classes of the first model become 67 that every syllable
shares, so a syllable that training drew rarely is read from parts it saw thousands of times, and
``샹`` and ``상`` differ in one class, the vowel, that the model must look at. Every other
character stays one class.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["JAMO", "JAMO_ALPHABET", "LEADS", "SYLLABLES", "TAILS", "VOWELS", "join_jamo", "split_syllables"]

SYLLABLES = "syllables"
"""The alphabet of a model with one class per character (the ONNX metadata's ``alphabet``; a
model without one reads syllables)."""
JAMO_ALPHABET = "jamo"
"""The alphabet of a model that reads Hangul syllables as jamo."""

LEADS = "".join(chr(0x1100 + i) for i in range(19))
VOWELS = "".join(chr(0x1161 + i) for i in range(21))
TAILS = "".join(chr(0x11A8 + i) for i in range(27))
JAMO = LEADS + VOWELS + TAILS
"""Every jamo class, leads first."""

_FIRST, _SYLLABLES = 0xAC00, 11_172
_PER_LEAD, _PER_VOWEL = 21 * 28, 28


def split_syllables(text: str) -> str:
    """``text`` with each Hangul syllable written as its lead, vowel and tail jamo."""
    out = []
    for char in text:
        code = ord(char) - _FIRST
        if 0 <= code < _SYLLABLES:
            lead, rest = divmod(code, _PER_LEAD)
            vowel, tail = divmod(rest, _PER_VOWEL)
            out.append(LEADS[lead] + VOWELS[vowel] + (TAILS[tail - 1] if tail else ""))
        else:
            out.append(char)
    return "".join(out)


def _index(char: str, block: str) -> int:
    """The position of ``char`` in a jamo block, -1 when it is not in it."""
    return block.find(char) if char else -1


def join_jamo(
    tokens: str, positions: Sequence[float], confidences: Sequence[float]
) -> tuple[str, list[float], list[float]]:
    """Read tokens back as text: a lead followed by a vowel (and a tail) is one syllable, at the
    mean position of its jamo and with the lowest of their confidences. A jamo that makes no
    syllable (a lead without a vowel, a vowel or a tail on its own) is dropped: it is not a
    character anyone writes on a form."""
    text: list[str] = []
    where: list[float] = []
    sure: list[float] = []
    i = 0
    while i < len(tokens):
        lead = _index(tokens[i], LEADS)
        if lead < 0:
            if tokens[i] not in JAMO:
                text.append(tokens[i])
                where.append(positions[i])
                sure.append(confidences[i])
            i += 1
            continue
        vowel = _index(tokens[i + 1] if i + 1 < len(tokens) else "", VOWELS)
        if vowel < 0:
            i += 1
            continue
        tail = _index(tokens[i + 2] if i + 2 < len(tokens) else "", TAILS)
        size = 3 if tail >= 0 else 2
        text.append(chr(_FIRST + lead * _PER_LEAD + vowel * _PER_VOWEL + tail + 1))
        where.append(sum(positions[i : i + size]) / size)
        sure.append(min(confidences[i : i + size]))
        i += size
    return "".join(text), where, sure
