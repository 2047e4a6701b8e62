"""Reading with a second engine when the first one read nothing of its own script.

Tesseract's Korean model reads Hangul well but Latin text (e-mail addresses, company names in
English) badly, and says so with high confidence. When what it read has no Hangul at all, the
crop is Latin or digits, which PP-OCR reads better: the second engine's reading is taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from templateocr.engines.base import Image, OcrEngine, ReadOptions, RecognizedWord, read_many

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
        return self.read_many([(image, options)])[0]

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]]) -> list[list[RecognizedWord]]:
        """Each engine reads its crops in one batch (when it can)."""
        results = read_many(self.primary, jobs)
        again = [
            i
            for i, words in enumerate(results)
            if words and not any(self.script(ch) for word in words for ch in word.text)
        ]
        for i, other in zip(again, read_many(self.secondary, [jobs[i] for i in again]), strict=True):
            if other and sum(w.confidence for w in other) / len(other) >= MIN_FALLBACK_CONFIDENCE:
                results[i] = other
        return results
