"""PP-OCRv6 small recognition through rapidocr, one detected line at a time.

rapidocr 3.10.0 ships PP-OCRv6 small detection and recognition models inside its wheel; this
engine loads only the recognition model, from the wheel, by path (so rapidocr never looks for
a download), and feeds it the lines :mod:`templateocr.engines.lines` finds. PP-OCR returns a
line's text with the CTC column of every character, which places each character on the line;
words are then cut at the gaps in the ink (:func:`~templateocr.engines.lines.split_words`).

The model reads Han, kana and Latin but no Hangul: the registry sends Korean to Tesseract.
Thread-safety: rapidocr's ``TextRecognizer.__call__`` keeps no state between calls and an
onnxruntime session may run from several threads at once, so no lock is needed.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.lines import InkMap, chosen_pieces, crop_lines, recognized_words, split_words
from templateocr.exceptions import ConfigurationError

# onnxruntime writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ when it is *imported*
# unless this is set; importing the engines before anything imports onnxruntime keeps it off.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__all__ = ["RapidEngine", "bundled_model_path"]

MODEL_FILE = "PP-OCRv6_rec_small.onnx"

MIN_SCORE = 0.5
"""Lines read with a lower mean score are dropped when short (noise read as a stroke or two)."""

SHORT_LINE = 3
"""A line of at most this many characters is "short"."""

JUNK_SCORE = 0.3
"""Lines of any length read below this score are dropped."""

SINGLE_CHAR_WIDTH = 96
"""Width (at PP-OCR's height of 48) to which single characters are padded, instead of 320: as
exact on 300 rendered boxes (printed and handwriting-style digits, Latin, kana, kanji; 233 vs
233), 3.7x faster."""

LINES_PER_RUN = 1
"""Lines per onnxruntime run for ordinary lines (see ``RapidEngine.__init__``)."""

SINGLE_CHARS_PER_RUN = 8
"""Single characters per run."""

_PAD_X = 0.35
_PAD_Y = 0.2
"""Margins around a line, as shares of its height (PP-OCR was trained on loosely cut lines)."""


def bundled_model_path() -> Path:
    """Where the PP-OCRv6 small recognition model lies inside the installed rapidocr wheel."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models" / MODEL_FILE


class RapidEngine:
    """Reads field crops with PP-OCRv6 small (rec-only, one call per crop for all its lines)."""

    name = "rapid"

    def __init__(self, intra_op_num_threads: int = 1) -> None:
        """Load the bundled model once.

        Args:
            intra_op_num_threads: onnxruntime threads per call (1: the server runs requests in
                parallel instead).
        """
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        model = bundled_model_path()
        if not model.is_file():
            raise ConfigurationError(
                f"rapidocr's bundled model {model} is missing; reinstall rapidocr==3.10.0."
            )
        from rapidocr import RapidOCR

        params: dict[str, Any] = {
            "Global.use_det": False,
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "Rec.model_path": str(model),
            "EngineConfig.onnxruntime.intra_op_num_threads": max(1, int(intra_op_num_threads)),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        pipeline = RapidOCR(params=params)
        # The recognizer alone: rapidocr's public call reads one image per call; this batches lines.
        self._recognizer: Any = pipeline._load_rec_model()  # type: ignore[no-untyped-call]
        # One line per onnxruntime run: a batch is padded to its widest line, which cost more
        # than the runs it saved (a page's crops: 236 -> 182 ms for zh-TW, 207 -> 195 ms for en)
        self._recognizer.rec_batch_num = LINES_PER_RUN
        # The same model and session, for single characters (MULTI_BOX boxes): rapidocr pads
        # every line to at least 320 x 48, which costs a lone character 17 ms instead of 4.5
        self._narrow: Any = copy.copy(self._recognizer)
        channels, height, _ = self._recognizer.rec_image_shape
        self._narrow.rec_image_shape = [channels, height, SINGLE_CHAR_WIDTH]
        self._narrow.rec_batch_num = SINGLE_CHARS_PER_RUN  # all about as wide: no padding lost

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read the words of a crop; ``[]`` when it holds no text."""
        return self.read_many([(image, options)])[0]

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]]) -> list[list[RecognizedWord]]:
        """Read several crops with one recognizer call for all their lines (one more for single
        characters, which are read narrower)."""
        crops = [crop_lines(image, options, _PAD_X, _PAD_Y, (4.0, 3.0)) for image, options in jobs]
        lines: dict[bool, list[Image]] = {False: [], True: []}
        for crop, (_, options) in zip(crops, jobs, strict=True):
            lines[options.single_char].extend(np.stack([line] * 3, axis=-1) for line in crop.lines)
        readings = {narrow: self._recognize(images, narrow) for narrow, images in lines.items()}
        out: list[list[RecognizedWord]] = []
        for crop, (_, options) in zip(crops, jobs, strict=True):
            read = [next(readings[options.single_char]) for _ in crop.lines]
            texts = [(str(text).strip(), float(score)) for text, score, _ in read]
            words: list[RecognizedWord] = []
            for choice in crop.choices:
                for i in chosen_pieces(choice, texts):
                    text, score = texts[i]
                    if _keep(text, score, options):
                        box, origin_x, width = crop.boxes[i], crop.origins[i], crop.lines[i].shape[1]
                        words.extend(_line_words(crop.ink, box, text, read[i][2], origin_x, width, score))
            out.append(words)
        return out

    def _recognize(self, images: list[Image], narrow: bool) -> Iterator[tuple[str, float, Any]]:
        """(text, score, word info) of each line image, in order."""
        if not images:
            return iter(())
        from rapidocr.ch_ppocr_rec import TextRecInput

        recognizer = self._narrow if narrow else self._recognizer
        result = recognizer(TextRecInput(img=[np.ascontiguousarray(i) for i in images], return_word_box=True))
        return iter(zip(result.txts, result.scores, result.word_results, strict=True))


def _keep(text: str, score: float, options: ReadOptions) -> bool:
    if not text:
        return False
    if score < JUNK_SCORE:
        return False
    short = len(text.replace(" ", "")) <= SHORT_LINE
    return not (short and score < MIN_SCORE and not options.single_char)


def _line_words(
    ink: InkMap, box: tuple[int, int, int, int], text: str, info: Any, origin_x: int, width: int, score: float
) -> list[RecognizedWord]:
    """Place each character by its CTC column, then cut the line into words at gaps in the ink."""
    chars = [c for c in text if not c.isspace()]
    cols = [col for word_cols in info.word_cols for col in word_cols]
    confs = list(info.confs)
    if len(cols) != len(chars) or info.line_txt_len <= 0:
        # Unexpected decoder output: spread the characters evenly over the line.
        step = (box[2] - box[0]) / max(1, len(chars))
        centers = [box[0] + (i + 0.5) * step for i in range(len(chars))]
        confs = [score] * len(chars)
    else:
        scale = width / float(info.line_txt_len)
        centers = [origin_x + (col + 0.5) * scale for col in cols]
    if len(confs) != len(chars):
        confs = [score] * len(chars)
    return recognized_words(split_words(ink.text, box, text, centers), confs)
