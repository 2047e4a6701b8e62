"""Simplified characters back to traditional (zh-TW) or to Japanese kanji (ja).

PP-OCR's dictionary holds both simplified and traditional characters and, on a blurred or
noisy crop, sometimes answers the simplified form of a traditional character (統 -> 统,
國 -> 国). OpenCC's tables (``opencc-python-reimplemented``, data inside the package, read
offline) know which characters are simplified.

Only characters that exist *solely* as simplified forms are replaced, so correct traditional
text never changes: 台, 于, 里, 着 are traditional characters too and stay as they are (OpenCC's
own ``s2t`` would turn 台灣 into 臺灣). Where a simplified character has several traditional
forms (发 -> 發 or 髮), OpenCC's ``s2tw`` phrase table picks one from the surrounding word.
(``s2tw``, not ``s2t``: Taiwan's standard forms, 为 -> 為 rather than 爲.)

For Japanese the same errors occur (愛 -> 爱, 産 -> 产). A simplified character is mapped only
when it is not a Japanese character at all (not in Shift_JIS / CP932), has exactly one
traditional form, and that form (or its Japanese shinjitai, from OpenCC's ``JPVariants``) is a
Japanese character: 爱 -> 愛, 产 -> 產 -> 産, 辅 -> 輔, 额 -> 額.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

__all__ = ["to_japanese", "to_traditional"]

_lock = threading.Lock()


def _dictionary_dir() -> Path:
    import opencc

    return Path(opencc.__file__).resolve().parent / "dictionary"


def _load(name: str) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    with (_dictionary_dir() / name).open(encoding="utf-8") as handle:
        for line in handle:
            key, _, values = line.rstrip("\n").partition("\t")
            if key and values:
                table[key] = values.split(" ")
    return table


@functools.cache
def _simplified_only() -> frozenset[str]:
    """Characters that are simplified forms and never traditional ones."""
    st = _load("STCharacters.txt")
    traditional = set(_load("TSCharacters.txt"))
    return frozenset(k for k, v in st.items() if len(k) == 1 and k not in v and k not in traditional)


@functools.cache
def _converters() -> tuple[object, object]:
    import opencc

    with _lock:  # they read their tables in the constructor; ``convert`` only reads them
        return opencc.OpenCC("t2s"), opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    """Replace simplified-only characters in ``text`` by their Taiwan-standard traditional form.

    Every other character, traditional or shared, is kept. Ambiguous ones are resolved from
    the word around them: the text is first made all-simplified (頭发 -> 头发) so that OpenCC's
    phrase table sees the word (头发 -> 頭髮).
    """
    simplified = _simplified_only()
    if not any(c in simplified for c in text):
        return text
    t2s, s2tw = _converters()
    converted: str = s2tw.convert(t2s.convert(text))  # type: ignore[attr-defined]
    if len(converted) != len(text):  # OpenCC's tables are length-preserving; be safe anyway
        converted = "".join(s2tw.convert(c) if c in simplified else c for c in text)  # type: ignore[attr-defined]
    return "".join(new if old in simplified else old for old, new in zip(text, converted, strict=True))


def _is_japanese(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _japanese_map() -> dict[str, str]:
    st = _load("STCharacters.txt")
    jp = _load("JPVariants.txt")
    mapping: dict[str, str] = {}
    for char in _simplified_only():
        forms = st[char]
        if _is_japanese(char) or len(forms) != 1:
            continue
        target = jp.get(forms[0], forms)[0]
        if len(target) == 1 and _is_japanese(target):
            mapping[char] = target
    return mapping


def to_japanese(text: str) -> str:
    """Replace simplified Chinese characters that Japanese never uses by their kanji."""
    mapping = _japanese_map()
    return "".join(mapping.get(c, c) for c in text)
