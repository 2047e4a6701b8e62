"""Turning an engine's words into a field's value: NUMERIC filtering, joining, confidence."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from templateocr.engines.base import RecognizedWord

__all__ = [
    "NUMBER_DIGITS",
    "balance_brackets",
    "digits_in_numbers",
    "filter_numeric",
    "filter_numeric_box",
    "join_words",
    "mean_confidence",
    "normalize_text",
    "without_stray_marks",
]

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "C": "0", "c": "0", "I": "1", "l": "1", "|": "1", "S": "5"}
)
_BOX_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "C": "0", "c": "0", "U": "0", "Q": "0", "I": "1", "l": "1", "|": "1"}
    | {"i": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6", "T": "7", "B": "8", "g": "9"}
    | {"q": "9"}
)


def normalize_text(text: str) -> str:
    """Trim and fold full-width ASCII forms a recognizer may answer (NFKC keeps CJK as is)."""
    return unicodedata.normalize("NFKC", text).strip()


def _one_mark(text: str, separators: str) -> str:
    """A period where only a comma may be (or the reverse) is that mark, misread.

    The two differ by a tail a few pixels long, which blur, a fax or the removal of the
    underline a value sits on (its tail crosses the line) takes away: ``46,817`` comes back
    ``46.817``. A field whose separators allow one of the two but not the other says which it is.
    """
    if "," in separators and "." not in separators:
        return text.replace(".", ",")
    if "." in separators and "," not in separators:
        return text.replace(",", ".")
    return text


def filter_numeric(text: str, separators: str) -> str:
    """Keep digits and the allowed separators.

    Look-alike letters (O, D, C, l, I, S) are read as digits only inside a run of letters and
    digits that holds a digit and nothing but look-alikes besides (``2O24``, ``28C`` for a
    handwritten open 0, but not ``Tel``).
    A period or comma where only the other is allowed is read as the other (``_one_mark``).
    """
    text = _one_mark(text.translate(_FULLWIDTH_DIGITS), separators)
    kept: list[str] = []
    for run in re.split(r"([^0-9A-Za-z|]+)", text):
        if not run:
            continue
        if not re.fullmatch(r"[0-9A-Za-z|]+", run):
            kept.extend(ch for ch in run if ch in separators)
            continue
        mapped = run.translate(_DIGIT_LOOKALIKES)
        if any(ch.isdigit() for ch in run) and mapped.isdigit():
            kept.append(mapped)
        else:
            kept.extend(ch for ch in run if ch.isdigit())
    return "".join(kept)


def filter_numeric_box(text: str, separators: str) -> str:
    """:func:`filter_numeric` for one box of a NUMERIC comb, which holds one digit: a lone
    letter that a handwritten digit resembles is that digit (an open ``0`` read ``C``, a ``0``
    read ``O``); a box holds no word that a letter could belong to."""
    mapped = text.translate(_BOX_LOOKALIKES)
    if len(text) == 1 and mapped.isdigit():
        return mapped
    return filter_numeric(text, separators)


_NUMBER_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "C": "0", "c": "0", "I": "1", "l": "1"})
_NUMBER_MARKS = re.compile(r"[\s\-./()+,:]")
NUMBER_DIGITS = 6
"""A text field whose value is a number (a phone number, a date, an id: at least this many
digits, separators, and at most two letters) reads those letters as the digits they resemble."""


def digits_in_numbers(texts: Sequence[str]) -> list[str]:
    """The words of one field with the letters a digit is misread as (an open ``0`` read ``C``,
    a ``1`` read ``l``) made digits, when the field is a number: ``(47C) 555-164C`` is
    ``(470) 555-1640``. A field with words keeps its letters (``Apt 4C``, ``Suite 10C``), and so
    does an id with other letters (``AB123456``)."""
    core = _NUMBER_MARKS.sub("", "".join(texts))
    letters = [ch for ch in core if not ch.isdigit()]
    if not letters or len(letters) > 2 or len(core) - len(letters) < NUMBER_DIGITS:
        return list(texts)
    if not all(ch in "OoCcIl" for ch in letters):
        return list(texts)
    return [text.translate(_NUMBER_LOOKALIKES) for text in texts]


_TRAILING_NEVER = "-,_~"
_LEADING_NEVER = ",._~"
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[-./](?=[0-9])")


def without_stray_marks(texts: Sequence[str]) -> list[str]:
    """The words of one field without the punctuation a speck beside the value is read as
    (a fax's speckle, a dot of dust): no value ends with ``-``, ``,``, ``_`` or ``~`` or begins
    with ``,``, ``.``, ``_`` or ``~``; a date or phone number (two separators between digits)
    begins with no ``-`` and, written with ``-`` or ``/``, ends with no ``.``; an e-mail
    address ends with no ``.``. A word's own marks stay: ``Corp.``, ``2024. 11. 24.``, ``-1,500``."""
    words = list(texts)
    filled = [i for i, word in enumerate(words) if word]
    if not filled:
        return words
    first, last = filled[0], filled[-1]
    joined = "".join(words)
    separators = _BETWEEN_DIGITS.findall(joined)
    dated = len(separators) >= 2
    words[last] = words[last].rstrip(_TRAILING_NEVER)
    if words[last].endswith(".") and (
        (dated and "." not in separators) or ("@" in words[last] and words[last].count(".") > 1)
    ):
        words[last] = words[last].rstrip(".").rstrip(_TRAILING_NEVER)
    words[first] = words[first].lstrip(_LEADING_NEVER)
    if dated and words[first].startswith("-"):
        words[first] = words[first].lstrip("-")
    return words


_OPEN, _CLOSE = "(", ")"  # full-width forms are folded to these by normalize_text
_EMPTY_PAIR = re.compile(r"\(\s*\)")


def balance_brackets(texts: Sequence[str]) -> list[str]:
    """The words of one field (in reading order) without brackets that enclose nothing or have
    no partner in the field: a seal's ring or a box's corner cut by the area's edge is read as
    ``(``, ``)`` or ``()`` beside the value (``김민준 ()``, ``大同資訊(``). A value's own
    brackets come in pairs around something (``(주)``, ``(316) 555-8301``). An empty string
    is a word that held only such brackets."""
    words = [_EMPTY_PAIR.sub("", text) for text in texts]
    flat = [(i, j) for i, word in enumerate(words) for j, c in enumerate(word) if c in (_OPEN, _CLOSE)]
    drop: set[tuple[int, int]] = set()
    opened: list[tuple[int, int]] = []
    for i, j in flat:
        if words[i][j] == _OPEN:
            opened.append((i, j))
        elif opened:
            opened.pop()
        else:
            drop.add((i, j))  # closes nothing
    drop.update(opened)  # never closed
    if not drop:
        return words
    return ["".join(c for j, c in enumerate(word) if (i, j) not in drop) for i, word in enumerate(words)]


def join_words(words: Sequence[RecognizedWord] | Sequence[tuple[str, bool]]) -> str:
    """Join words with a space, or a newline after a word that ends its line (CLOVA's rule)."""
    parts: list[str] = []
    items = [(w.text, w.line_break) if isinstance(w, RecognizedWord) else w for w in words]
    for i, (text, line_break) in enumerate(items):
        parts.append(text)
        if i < len(items) - 1:
            parts.append("\n" if line_break else " ")
    return "".join(parts)


def mean_confidence(confidences: Sequence[float]) -> float:
    """The mean, or 0.0 for no words."""
    if not confidences:
        return 0.0
    return float(sum(confidences) / len(confidences))
