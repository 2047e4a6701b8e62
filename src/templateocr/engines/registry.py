"""The engines of one process, and which one reads a crop of a given language.

:class:`EngineSet` is built once per process (the app's lifespan, the CLI). It constructs each
engine the first time a route needs it (thread-safe) and shares the models: the ``ja`` and
``zh-TW`` routes wrap one PP-OCR engine. Routing (measured figures in ``docs/engines.md``):

===========  ===================================  ==========================================
language     text fields                          NUMERIC fields
===========  ===================================  ==========================================
``ko``       our CRNN (``crnn``); PP-OCRv6 when   PP-OCRv6
             it read no Hangul (Latin, digits)
``ja``       PP-OCRv6, simplified -> kanji map    PP-OCRv6
``zh-TW``    PP-OCRv6, simplified -> traditional  PP-OCRv6
``en``       PP-OCRv6                             PP-OCRv6
===========  ===================================  ==========================================

A configured ``force`` name (one of :data:`ENGINE_NAMES`) reads every crop with that engine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from templateocr.engines.base import Image, OcrEngine, ReadOptions, RecognizedWord, read_many
from templateocr.engines.chinese import to_japanese, to_traditional
from templateocr.engines.system import LANGS
from templateocr.exceptions import ConfigurationError

# onnxruntime writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ when it is *imported*
# unless this is set; importing the engines before anything imports onnxruntime keeps it off.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__all__ = ["ENGINE_NAMES", "EngineConfig", "EngineSet", "MappedEngine", "route"]


@dataclass(frozen=True)
class EngineConfig:
    """How the engines of a process are built.

    ``intra_op_threads``: onnxruntime threads per PP-OCR call (1: parallelism comes from
    serving several requests at once). ``force``: an engine name that reads every crop.
    """

    intra_op_threads: int = 1
    force: str | None = None


class MappedEngine:
    """Another engine whose text goes through a character map (line by line, boxes kept)."""

    def __init__(self, inner: OcrEngine, mapping: Callable[[str], str], suffix: str) -> None:
        self.inner = inner
        self.mapping = mapping
        self.name = f"{inner.name}-{suffix}"

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read with the inner engine, then map each line's text (the maps keep its length)."""
        return self.read_many([(image, options)])[0]

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]]) -> list[list[RecognizedWord]]:
        """Read in one batch with the inner engine, then map each crop's lines."""
        return [self._map(words) for words in read_many(self.inner, jobs)]

    def _map(self, words: list[RecognizedWord]) -> list[RecognizedWord]:
        out: list[RecognizedWord] = []
        line: list[RecognizedWord] = []
        for word in words:
            line.append(word)
            if word.line_break:
                out.extend(self._map_line(line))
                line = []
        out.extend(self._map_line(line))
        return out

    def _map_line(self, line: list[RecognizedWord]) -> list[RecognizedWord]:
        if not line:
            return []
        joined = "".join(w.text for w in line)
        mapped = self.mapping(joined)
        if len(mapped) != len(joined):  # a map that changed the length: map word by word
            return [_with_text(w, self.mapping(w.text)) for w in line]
        out, start = [], 0
        for word in line:
            out.append(_with_text(word, mapped[start : start + len(word.text)]))
            start += len(word.text)
        return out


def _with_text(word: RecognizedWord, text: str) -> RecognizedWord:
    return RecognizedWord(text=text, confidence=word.confidence, box=word.box, line_break=word.line_break)


def _rapid(engines: EngineSet) -> OcrEngine:
    from templateocr.engines.rapid import RapidEngine

    return RapidEngine(intra_op_num_threads=engines.config.intra_op_threads)


def _crnn(engines: EngineSet) -> OcrEngine:
    from templateocr.engines.crnn import CrnnEngine

    return CrnnEngine(threads=engines.config.intra_op_threads)


def _tesseract(lang: str, whitelist: str | None = None) -> Callable[[EngineSet], OcrEngine]:
    def build(engines: EngineSet) -> OcrEngine:
        from templateocr.engines.tesseract import TesseractEngine

        return TesseractEngine(lang, whitelist=whitelist)

    return build


def _tesseract_digits(engines: EngineSet) -> OcrEngine:
    from templateocr.engines.tesseract import DIGITS

    return _tesseract("eng", DIGITS)(engines)


def _korean_with(first: str) -> Callable[[EngineSet], OcrEngine]:
    def build(engines: EngineSet) -> OcrEngine:
        from templateocr.engines.fallback import ScriptFallbackEngine
        from templateocr.engines.lines import is_hangul

        return ScriptFallbackEngine(
            engines.engine(first), engines.engine("rapid"), is_hangul, f"{first}+rapid"
        )

    return build


def _null(engines: EngineSet) -> OcrEngine:
    from templateocr.engines.null import NullEngine

    return NullEngine()


_FACTORIES: dict[str, Callable[[EngineSet], OcrEngine]] = {
    "rapid": _rapid,
    "crnn": _crnn,
    "rapid-ja": lambda engines: MappedEngine(engines.engine("rapid"), to_japanese, "ja"),
    "rapid-zh-TW": lambda engines: MappedEngine(engines.engine("rapid"), to_traditional, "zh-TW"),
    "tesseract-kor": _tesseract("kor"),
    "korean": _korean_with("crnn"),
    "korean-tesseract": _korean_with("tesseract-kor"),
    "tesseract-jpn": _tesseract("jpn"),
    "tesseract-chi_tra": _tesseract("chi_tra"),
    "tesseract-eng": _tesseract("eng"),
    "tesseract-digits": _tesseract_digits,
    "null": _null,
}

ENGINE_NAMES = tuple(_FACTORIES)
"""Every engine name a configuration may force."""

_ROUTES: dict[tuple[str, bool], str] = {
    ("ko", False): "korean",
    ("ko", True): "rapid",
    ("ja", False): "rapid-ja",
    ("ja", True): "rapid",
    ("zh-TW", False): "rapid-zh-TW",
    ("zh-TW", True): "rapid",
    ("en", False): "rapid",
    ("en", True): "rapid",
}


def route(lang: str, options: ReadOptions) -> str:
    """The name of the engine that reads a crop of ``lang`` with ``options``."""
    try:
        return _ROUTES[(lang, options.numeric)]
    except KeyError:
        raise ConfigurationError(
            f"Unknown reading language {lang!r}; expected one of {', '.join(LANGS)}."
        ) from None


class EngineSet:
    """The engines of one process, built on first use and shared by all requests."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        """Check the configuration; no engine is built yet (see :meth:`warm_up`)."""
        self.config = config or EngineConfig()
        if self.config.force is not None and self.config.force not in _FACTORIES:
            raise ConfigurationError(
                f"Unknown OCR engine {self.config.force!r}; expected one of {', '.join(ENGINE_NAMES)}."
            )
        self._engines: dict[str, OcrEngine] = {}
        self._lock = threading.RLock()

    def engine(self, name: str) -> OcrEngine:
        """The engine called ``name``, built on first use."""
        found = self._engines.get(name)
        if found is not None:
            return found
        if name not in _FACTORIES:
            raise ConfigurationError(
                f"Unknown OCR engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}."
            )
        with self._lock:
            found = self._engines.get(name)
            if found is None:
                found = _FACTORIES[name](self)
                self._engines[name] = found
        return found

    def engine_for(self, lang: str, options: ReadOptions) -> OcrEngine:
        """The engine that reads a crop of ``lang`` (``ko``, ``ja``, ``zh-TW``, ``en``)."""
        name = route(lang, options)
        return self.engine(self.config.force or name)

    def read(self, image: Image, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        """Read one crop with the engine for ``lang``."""
        return self.engine_for(lang, options).read(image, options)

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]], lang: str) -> list[list[RecognizedWord]]:
        """Read crops of ``lang``: those that go to one engine in one batch."""
        results: list[list[RecognizedWord]] = [[] for _ in jobs]
        groups: dict[int, tuple[OcrEngine, list[int]]] = {}
        for i, (_, options) in enumerate(jobs):
            engine = self.engine_for(lang, options)
            groups.setdefault(id(engine), (engine, []))[1].append(i)
        for engine, indices in groups.values():
            for i, words in zip(indices, read_many(engine, [jobs[i] for i in indices]), strict=True):
                results[i] = words
        return results

    def warm_up(self, langs: tuple[str, ...] = LANGS) -> None:
        """Build every engine the routes of ``langs`` use and run each once on a rendered line."""
        sample = _sample_line()
        for lang in langs:
            for numeric in (False, True):
                options = ReadOptions(numeric=numeric)
                self.engine_for(lang, options).read(sample, options)


def _sample_line() -> Image:
    """A small rendered line of digits (no font files needed)."""
    image = np.full((48, 200, 3), 255, dtype=np.uint8)
    cv2.putText(image, "2024 123", (10, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2, cv2.LINE_AA)
    return image
