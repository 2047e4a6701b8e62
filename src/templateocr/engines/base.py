"""The one narrow interface every OCR engine implements.

An engine reads an already cut-out, upright crop of one field and returns its words with
boxes in the crop's pixel coordinates. Everything around it (where the crop comes from, how
boxes are mapped back to the page, NUMERIC filtering) is the pipeline's business.

Contract (see ``docs/engines.md``):

- ``read`` MUST accept an RGB ``uint8`` array of shape ``(H, W, 3)``, any size from 1x1 up.
- It MUST return words in reading order, each with ``line_break`` True on the last word of a
  line, and an empty list when there is no text.
- Confidences MUST lie in ``[0, 1]``; boxes MUST lie within the crop.
- It MUST be safe to call from several threads (an engine guards what is not thread-safe).
- It MUST NOT download anything; models load once, in the constructor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = ["BatchOcrEngine", "Image", "OcrEngine", "ReadOptions", "RecognizedWord", "read_many"]

Image = NDArray[np.uint8]


@dataclass(frozen=True)
class RecognizedWord:
    """A word found in a crop. ``box`` is ``(left, top, right, bottom)`` in crop pixels."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]
    line_break: bool = False


@dataclass(frozen=True)
class ReadOptions:
    """Hints the pipeline gives an engine about one crop.

    ``multiline``: the area may hold more than one line of text.
    ``numeric``: the field holds digits and separators only.
    ``single_char``: one character per crop (a MULTI_BOX box).
    """

    multiline: bool = False
    numeric: bool = False
    single_char: bool = False


@runtime_checkable
class OcrEngine(Protocol):
    """Reads the text of one field crop."""

    name: str

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Return the words in ``image``, in reading order."""
        ...


Job = tuple[Image, ReadOptions]


@runtime_checkable
class BatchOcrEngine(OcrEngine, Protocol):
    """An engine that reads several crops at once (one model call for all their lines)."""

    def read_many(self, jobs: Sequence[Job]) -> list[list[RecognizedWord]]:
        """The words of each crop, in order; the same as ``read`` on each."""
        ...


def read_many(engine: OcrEngine, jobs: Sequence[Job]) -> list[list[RecognizedWord]]:
    """Read crops with ``engine``: in one batch when it can, else one by one."""
    if isinstance(engine, BatchOcrEngine):
        return engine.read_many(jobs)
    return [engine.read(image, options) for image, options in jobs]
