"""templateocr's own recognizer, the shipped ONNX model, on real rendered lines and crops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from engine_crops import joined, render

from templateocr.engines.base import ReadOptions, read_many
from templateocr.engines.crnn import CrnnEngine
from templateocr.engines.crnn_model import MODEL_PATH, MODEL_PATHS, CrnnRecognizer
from templateocr.engines.jamo import JAMO_ALPHABET, SYLLABLES
from templateocr.exceptions import ConfigurationError
from templateocr.text_metrics import cer
from templateocr.training.charset import CHARSET, tokens
from templateocr.training.fonts import Split, Style, fonts_for
from templateocr.training.render import render_line
from templateocr.training.samples import pick_font
from templateocr.training.texts import TextSampler


@pytest.fixture(scope="module")
def engine() -> CrnnEngine:
    return CrnnEngine()


def _crops(kind: str, count: int, seed: int) -> list[tuple[str, np.ndarray]]:
    import random

    texts, rng = TextSampler(seed), random.Random(seed)
    fonts = fonts_for(Split.TRAIN, Style.PRINT)
    out = []
    while len(out) < count:
        text = texts.of_kind(kind)
        font = pick_font(text, fonts, rng, hand_share=0.0)
        rendered = None if font is None else render_line(text, font, rng.randrange(2**31), degrade=False)
        if rendered is not None:
            out.append((text, np.ascontiguousarray(np.stack([rendered.crop] * 3, axis=-1))))
    return out


def test_the_shipped_models_are_ours_and_small() -> None:
    recognizer = CrnnRecognizer()
    assert recognizer.charset == CHARSET and recognizer.alphabet == SYLLABLES
    assert int(recognizer.metadata["step"]) > 0
    jamo = CrnnRecognizer(MODEL_PATHS[1])
    assert jamo.charset == tokens(JAMO_ALPHABET) and jamo.alphabet == JAMO_ALPHABET
    assert int(jamo.metadata["step"]) > 0
    assert MODEL_PATH in MODEL_PATHS
    assert sum(path.stat().st_size for path in MODEL_PATHS) <= 20 * 1024 * 1024


@pytest.mark.parametrize(("kind", "max_cer"), [("date", 0.1), ("ko_name", 0.2)])
def test_it_reads_printed_lines(engine: CrnnEngine, kind: str, max_cer: float) -> None:
    crops = _crops(kind, 12, seed=5)
    errors = [cer(text, " ".join(w.text for w in engine.read(image, ReadOptions()))) for text, image in crops]
    assert float(np.mean(errors)) <= max_cer, errors


def test_read_many_equals_read(engine: CrnnEngine) -> None:
    jobs = [(image, ReadOptions()) for _, image in _crops("phone", 3, seed=9)]
    batched = read_many(engine, jobs)
    alone = [engine.read(image, options) for image, options in jobs]
    assert [[w.text for w in words] for words in batched] == [[w.text for w in words] for words in alone]
    assert engine.read(np.full((40, 120, 3), 255, np.uint8), ReadOptions()) == []


def test_a_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        CrnnRecognizer(tmp_path / "missing.onnx")


@pytest.mark.parametrize("style", ["sans", "serif"])
@pytest.mark.parametrize("size", [24, 28])
@pytest.mark.parametrize("text", ["대구광역시 중구 동성로 45", "인천광역시 연수구 송도과학로 32"])
def test_a_space_before_a_house_number_is_kept(engine: CrnnEngine, text: str, size: int, style: str) -> None:
    """The model emits a character at its left edge: the space's gap lies just before the
    number's frame, not halfway between the frames of 로 and 4."""
    crop = render(text, "ko", size=size, style=style)
    assert " ".join(w.text for w in engine.read(crop.image, ReadOptions())) == text


def test_touching_korean_lines_come_back_as_two_lines(engine: CrnnEngine) -> None:
    crop = render(["인천광역시 연수구", "송도과학로 32"], "ko", size=30, leading=0.95)
    words = engine.read(crop.image, ReadOptions(multiline=True))
    assert joined(words).split("\n") == ["인천광역시 연수구", "송도과학로 32"]
