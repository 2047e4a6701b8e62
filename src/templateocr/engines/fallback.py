"""Reading with a second engine when the first one read nothing of its own script.

Tesseract's Korean model reads Hangul well but Latin text (e-mail addresses, company names in
English) badly, and says so with high confidence. When what it read has no Hangul at all, the
crop is Latin or digits, which PP-OCR reads better: the second engine's reading is taken.
"""

from __future__ import annotations

from collections.abc import Callable

from templateocr.engines.base import Image, OcrEngine, ReadOptions, RecognizedWord

__all__ = ["ScriptFallbackEngine"]

MIN_FALLBACK_CONFIDENCE = 0.5
"""The second engine's reading is taken only when its mean confidence reaches this."""


class ScriptFallbackEngine:
    """``primary`` first; ``secondary`` when the primary's text has no character of ``script``."""

    def __init__(
        self, primary: OcrEngine, secondary: OcrEngine, script: Callable[[str], bool], name: str
    ) -> None:
        self.primary = primary
        self.secondary = secondary
        self.script = script
        self.name = name

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read with the primary engine, and again with the secondary when it read no script."""
        words = self.primary.read(image, options)
        if not words or any(self.script(ch) for word in words for ch in word.text):
            return words
        other = self.secondary.read(image, options)
        if not other:
            return words
        confidence = sum(w.confidence for w in other) / len(other)
        return other if confidence >= MIN_FALLBACK_CONFIDENCE else words
