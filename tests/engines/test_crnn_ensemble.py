"""The server's line reader: the shipped models read together, the likeliest reading kept; the
choice checked with stand-in members, the real pair on rendered held-out lines."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pytest

from templateocr.engines.crnn_ensemble import RecognizerEnsemble, open_recognizer
from templateocr.engines.crnn_model import (
    MODEL_PATH,
    MODEL_PATHS,
    SHIPPED_MODELS,
    CrnnRecognizer,
    LineReading,
    ModelOutput,
)
from templateocr.exceptions import ConfigurationError
from templateocr.training.charset import normalize_text
from templateocr.training.evaluate import SETS
from templateocr.training.fonts import Split, Style, fonts_for
from templateocr.training.render import render_line
from templateocr.training.samples import pick_font
from templateocr.training.texts import TextSampler

LINE = np.zeros((32, 40), np.float32)


@dataclass
class _Member:
    """Reads every line as ``text`` and finds each text as likely as ``likelihoods`` says."""

    text: str
    likelihoods: dict[str, float]
    confidences: list[float] = field(default_factory=list)

    def run(self, lines: list[np.ndarray]) -> list[ModelOutput]:
        sure = self.confidences or [0.5] * len(self.text)
        reading = LineReading(self.text, [float(i) for i in range(len(self.text))], sure)
        return [ModelOutput(np.zeros((10, 3), np.float32), reading) for _ in lines]

    def log_likelihoods(self, output: ModelOutput, texts: list[str]) -> list[float]:
        return [self.likelihoods.get(text, float("-inf")) for text in texts]


def _ensemble(*members: _Member) -> RecognizerEnsemble:
    return RecognizerEnsemble(members)  # type: ignore[arg-type]


def test_the_likeliest_reading_under_all_members_wins() -> None:
    # The first member is surer of its own reading, but the second finds it far less likely.
    first = _Member("서울데터랩", {"서울데터랩": -2.0, "서울데이터랩": -3.0})
    second = _Member("서울데이터랩", {"서울데터랩": -9.0, "서울데이터랩": -1.0})
    (reading,) = _ensemble(first, second).recognize([LINE])
    assert reading.text == "서울데이터랩"
    (reading,) = _ensemble(
        _Member("AB", {"AB": -1.0, "AD": -5.0}), _Member("AD", {"AB": -2.0, "AD": -1.5})
    ).recognize([LINE])
    assert reading.text == "AB"


def test_a_reading_one_member_cannot_write_loses() -> None:
    # The jamo model's 잋 is no KS X 1001 syllable: the syllable model cannot write it.
    syllables = _Member("한빛", {"한빛": -4.0})
    jamo = _Member("한잋", {"한잋": -0.1, "한빛": -3.0})
    assert _ensemble(syllables, jamo).recognize([LINE])[0].text == "한빛"


def test_a_tie_goes_to_the_first_member() -> None:
    first, second = _Member("a", {"a": -1.0, "b": -1.0}), _Member("b", {"a": -1.0, "b": -1.0})
    assert _ensemble(first, second).recognize([LINE])[0].text == "a"
    nobody = _Member("x", {}), _Member("y", {})
    assert _ensemble(*nobody).recognize([LINE])[0].text == "x"


def test_agreeing_members_keep_the_surest_confidence() -> None:
    first = _Member("12", {"12": -1.0}, [0.6, 0.9])
    second = _Member("12", {"12": -1.0}, [0.8, 0.7])
    (reading,) = _ensemble(first, second).recognize([LINE, LINE])[:1]
    assert reading.text == "12" and reading.confidences == [0.8, 0.9]
    assert _ensemble(first, second).recognize([]) == []


def test_an_ensemble_needs_a_member_and_a_positive_weight_each() -> None:
    with pytest.raises(ConfigurationError):
        RecognizerEnsemble([])
    with pytest.raises(ConfigurationError):
        RecognizerEnsemble([_Member("a", {})], [1.0, 1.0])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError):
        RecognizerEnsemble([_Member("a", {})], [0.0])  # type: ignore[list-item]


def test_one_model_is_read_alone_and_two_at_once_given_a_thread_each() -> None:
    assert isinstance(open_recognizer([(MODEL_PATH, 1.0)]), CrnnRecognizer)
    one_after_the_other, at_once = open_recognizer(threads=1), open_recognizer(threads=2)
    assert isinstance(one_after_the_other, RecognizerEnsemble) and not one_after_the_other.parallel
    assert isinstance(at_once, RecognizerEnsemble) and at_once.parallel
    assert at_once.weights == [weight for _, weight in SHIPPED_MODELS]
    lines = [line for _, line in _held_out_lines(SETS[1].kinds, 6, seed=11)]
    assert at_once.recognize(lines) == one_after_the_other.recognize(lines)
    assert at_once.recognize(lines[:1]) == one_after_the_other.recognize(lines[:1])


def _held_out_lines(kinds: tuple[str, ...], count: int, seed: int) -> list[tuple[str, np.ndarray]]:
    texts, rng = TextSampler(seed), random.Random(seed)
    fonts = fonts_for(Split.HELD_OUT, Style.HAND, hangul=True)
    out: list[tuple[str, np.ndarray]] = []
    while len(out) < count:
        text = normalize_text(texts.of_kind(kinds[len(out) % len(kinds)]))
        font = pick_font(text, fonts, rng, hand_share=1.0)
        rendered = None if font is None else render_line(text, font, rng.randrange(2**31), degrade=False)
        if rendered is not None:
            out.append((text, rendered.line))
    return out


def test_the_pair_reads_held_out_korean_handwriting_better_than_either_model() -> None:
    (korean_hands,) = [spec for spec in SETS if spec.name == "korean handwriting"]
    lines = _held_out_lines(korean_hands.kinds, 200, seed=3)
    inputs = [line for _, line in lines]
    members = [CrnnRecognizer(path) for path in MODEL_PATHS]

    def exact(readings: list[LineReading]) -> int:
        return sum(reading.text == text for reading, (text, _) in zip(readings, lines, strict=True))

    alone = [exact(member.recognize(inputs)) for member in members]
    together = exact(open_recognizer().recognize(inputs))
    assert together > max(alone), (together, alone)
