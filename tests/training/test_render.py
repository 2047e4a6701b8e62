"""Rendered training lines: model-ready, reproducible, cut out as the engine cuts lines."""

from __future__ import annotations

import numpy as np

from templateocr.engines.crnn_input import HEIGHT, STRIDE
from templateocr.training.fonts import FONTS, Split, fonts_for
from templateocr.training.render import render_line
from templateocr.training.samples import SampleStream


def _font(filename: str):  # type: ignore[no-untyped-def]
    return next(f for f in FONTS if f.filename == filename)


def test_a_line_is_model_ready_and_reproducible() -> None:
    font = _font("NanumBarunGothic.ttf")
    first = render_line("서울특별시 강남구 123", font, seed=7)
    again = render_line("서울특별시 강남구 123", font, seed=7)
    assert first is not None and again is not None
    assert first.line.shape[0] == HEIGHT and first.line.shape[1] % STRIDE == 0
    assert np.array_equal(first.line, again.line)
    assert first.line.min() < 0.3 and first.line.max() == 1.0  # ink darker than the white paper
    other = render_line("서울특별시 강남구 123", font, seed=8)
    assert other is not None and not np.array_equal(first.crop, other.crop)


def test_a_longer_text_gives_a_wider_line() -> None:
    font = _font("NotoSansCJK-Regular.ttc")
    short = render_line("김", font, seed=1, degrade=False)
    long = render_line("김민준 이서연 박지훈", font, seed=1, degrade=False)
    assert short is not None and long is not None
    assert long.line.shape[1] > 4 * short.line.shape[1]


def test_a_font_without_the_characters_gives_none() -> None:
    assert render_line("한글", _font("DejaVuSans.ttf"), seed=1) is None
    assert render_line("   ", _font("NanumPen.ttf"), seed=1) is None


def test_the_stream_draws_only_training_fonts_and_encodable_labels() -> None:
    stream = SampleStream(3)
    train = set(fonts_for(Split.TRAIN))
    samples = [s for s in (stream.next() for _ in range(60)) if s is not None]
    assert len(samples) > 40
    assert all(s.font in train for s in samples)
    assert all(len(s.labels) == len(s.text) for s in samples)
    assert {s.font.style for s in samples} == {f.style for f in train}
