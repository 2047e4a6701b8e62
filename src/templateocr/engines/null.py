"""An engine that reads nothing: for tests, dry runs and forcing empty results."""

from __future__ import annotations

from templateocr.engines.base import Image, ReadOptions, RecognizedWord

__all__ = ["NullEngine"]


class NullEngine:
    """Answers no words for every crop."""

    name = "null"

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Return ``[]``."""
        del image, options
        return []
