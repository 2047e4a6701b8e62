"""Tesseract (LSTM) through tesserocr, one line at a time.

Tesseract reads each line :mod:`templateocr.engines.lines` finds, in single-line mode (PSM 7),
scaled so its ink is about :data:`TARGET_HEIGHT` pixels tall and framed in white. Characters
come with boxes (``RIL.SYMBOL``); words are cut at the gaps in the ink the same way as for
PP-OCR, because Tesseract's ``kor`` model splits Korean words inside (서 울특별시).

A ``PyTessBaseAPI`` is not thread-safe and costs 70-100 MB, so each engine keeps a small pool:
a call borrows an idle API (making one only when all are busy, at most ``max_apis``, by default
one per CPU core; beyond that calls wait, they would only compete for the cores) and gives it
back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.lines import (
    Box,
    InkMap,
    find_ink,
    line_boxes,
    line_image,
    recognized_words,
    split_words,
    to_gray,
)
from templateocr.engines.system import DEBIAN_PACKAGES, tessdata_dir
from templateocr.exceptions import ConfigurationError

__all__ = ["DIGITS", "TesseractEngine"]

DIGITS = "0123456789-.,/:"
"""What a NUMERIC field may hold on the digits route (``tessedit_char_whitelist``)."""

TARGET_HEIGHT = 40
"""Lines are scaled so their ink is this tall (x-height about 20 px for Latin)."""

BORDER = 12
"""White margin around a line, in pixels after scaling."""

MIN_CONFIDENCE = 0.35
"""Lines read below this mean confidence are dropped when short (noise read as text)."""

SHORT_LINE = 3


class TesseractEngine:
    """Reads field crops with one Tesseract language model (``kor``, ``eng``, ...)."""

    def __init__(
        self,
        lang: str,
        *,
        whitelist: str | None = None,
        tessdata: Path | None = None,
        max_apis: int | None = None,
    ) -> None:
        """Check the model file and make the first API (more are made when calls overlap).

        Args:
            lang: a Tesseract model name, e.g. ``kor`` or ``eng``.
            whitelist: if given, the only characters Tesseract may answer (the digits route).
            tessdata: the model folder; default :func:`~templateocr.engines.system.tessdata_dir`.
            max_apis: the most Tesseract instances (concurrent calls); default one per core.
        """
        self.lang = lang
        self.whitelist = whitelist
        self.name = f"tesseract-{lang}" + ("-digits" if whitelist else "")
        self._tessdata = tessdata or tessdata_dir()
        model = self._tessdata / f"{lang}.traineddata"
        if not model.is_file():
            package = DEBIAN_PACKAGES.get(lang, f"tesseract-ocr-{lang.replace('_', '-')}")
            raise ConfigurationError(
                f"Tesseract model {model} is missing; install it with: "
                f"apt-get install --no-install-recommends {package} (or set TESSDATA_PREFIX)."
            )
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, max_apis or os.cpu_count() or 1))
        self._idle.append(self._new_api())

    def _new_api(self) -> Any:
        from tesserocr import OEM, PSM, PyTessBaseAPI

        # tesserocr wants the folder with a trailing separator.
        api = PyTessBaseAPI(path=f"{self._tessdata}/", lang=self.lang, psm=PSM.SINGLE_LINE, oem=OEM.LSTM_ONLY)
        if self.whitelist:
            api.SetVariable("tessedit_char_whitelist", self.whitelist)
        return api

    @contextmanager
    def _api(self) -> Iterator[Any]:
        with self._slots:
            with self._lock:
                api = self._idle.pop() if self._idle else None
            if api is None:
                api = self._new_api()
            try:
                yield api
            finally:
                with self._lock:
                    self._idle.append(api)

    def close(self) -> None:
        """Free the idle APIs (calls still running keep theirs)."""
        with self._lock:
            apis, self._idle = self._idle, []
        for api in apis:
            api.End()

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read the words of a crop; ``[]`` when it holds no text."""
        gray = to_gray(image)
        ink = find_ink(gray)
        boxes = line_boxes(gray, ink, options)
        words: list[RecognizedWord] = []
        with self._api() as api:
            for box in boxes:
                words.extend(self._read_line(api, gray, ink, box, options))
        return words

    def _read_line(
        self, api: Any, gray: NDArray[np.uint8], ink: InkMap, box: Box, options: ReadOptions
    ) -> list[RecognizedWord]:
        from tesserocr import PSM

        height = box[3] - box[1]
        scale = TARGET_HEIGHT / height
        pad = max(2.0, 0.15 * height)
        line = line_image(gray, ink, box, pad, pad)
        interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        scaled = cv2.resize(line, None, fx=scale, fy=scale, interpolation=interpolation)
        framed = cv2.copyMakeBorder(scaled, BORDER, BORDER, BORDER, BORDER, cv2.BORDER_CONSTANT, value=255)
        framed = np.ascontiguousarray(framed)
        origin_x = box[0] - round(pad)
        api.SetPageSegMode(PSM.SINGLE_CHAR if options.single_char else PSM.SINGLE_LINE)
        api.SetImageBytes(framed.tobytes(), framed.shape[1], framed.shape[0], 1, framed.shape[1])
        api.SetSourceResolution(300)
        api.Recognize()
        chars, spans, confs = _symbols(api, lambda x: origin_x + (x - BORDER) / scale)
        api.Clear()
        text = "".join(chars).strip()
        if not text:
            return []
        mean = float(np.mean([c for ch, c in zip(chars, confs, strict=True) if not ch.isspace()]))
        if len(text.replace(" ", "")) <= SHORT_LINE and mean < MIN_CONFIDENCE and not options.single_char:
            return []
        spaced = [(ch, sp, cf) for ch, sp, cf in zip(chars, spans, confs, strict=True) if not ch.isspace()]
        centers = [(sp[0] + sp[1]) / 2 for _, sp, _ in spaced]
        words = split_words(ink.text, box, text, centers, _bounds([sp for _, sp, _ in spaced], height))
        return recognized_words(words, [cf for _, _, cf in spaced])


def _bounds(spans: list[tuple[float, float]], height: int) -> list[float]:
    """Where each character ends and the next begins: between their boxes when these are sane
    (Tesseract's LSTM boxes are a few pixels off, now and then one is absurdly wide)."""
    bounds = []
    for (l0, r0), (l1, r1) in zip(spans, spans[1:], strict=False):
        sane = r0 - l0 <= 1.6 * height and r1 - l1 <= 1.6 * height and r0 <= l1 + 0.2 * height
        bounds.append((r0 + l1) / 2 if sane else ((l0 + r0) / 2 + (l1 + r1) / 2) / 2)
    return bounds


def _symbols(api: Any, to_crop_x: Any) -> tuple[list[str], list[tuple[float, float]], list[float]]:
    """The line's characters (a space between Tesseract's words), their crop x span and confidence."""
    from tesserocr import RIL, iterate_level

    chars: list[str] = []
    spans: list[tuple[float, float]] = []
    confs: list[float] = []
    iterator = api.GetIterator()
    if iterator is None:
        return chars, spans, confs
    for symbol in iterate_level(iterator, RIL.SYMBOL):
        try:
            text = symbol.GetUTF8Text(RIL.SYMBOL) or ""
        except RuntimeError:  # tesserocr raises for a symbol without text
            continue
        box = symbol.BoundingBox(RIL.SYMBOL)
        if not text.strip() or box is None:
            continue
        if chars and symbol.IsAtBeginningOf(RIL.WORD):
            chars.append(" ")
            spans.append((0.0, 0.0))
            confs.append(0.0)
        span = (float(to_crop_x(box[0])), float(to_crop_x(box[2])))
        conf = float(symbol.Confidence(RIL.SYMBOL)) / 100.0
        for ch in text.strip():
            chars.append(ch)
            spans.append(span)
            confs.append(conf)
    return chars, spans, confs
