"""Rendered training lines: model-ready, reproducible, cut out as the engine cuts lines."""

from __future__ import annotations

import numpy as np

from templateocr.engines.crnn_input import HEIGHT, STRIDE
from templateocr.training.charset import encode
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
    assert all(len(encode(s.text)) == len(s.text) for s in samples)
    assert all(len(encode(s.text, "jamo")) >= len(s.text) for s in samples)
    assert {s.font.style for s in samples} == {f.style for f in train}


def test_training_lines_bend_some_handwriting_and_leave_the_rest_as_drawn() -> None:
    """``distort`` bends the strokes of most handwriting-style lines a little (each hand is a
    font: bent, it is many), on its own random numbers: a line it leaves alone is the line the
    evaluation draws, and a bent one is the same text, the same size, in the same place."""
    font = _font("dkg.ttf")
    bent = same = 0
    for seed in range(12):
        drawn = render_line("John Smith 2024-05-17", font, seed=seed, degrade=False)
        trained = render_line("John Smith 2024-05-17", font, seed=seed, degrade=False, distort=True)
        assert drawn is not None and trained is not None
        if np.array_equal(drawn.crop, trained.crop):
            same += 1
            continue
        bent += 1
        assert all(abs(a - b) <= 4 for a, b in zip(drawn.crop.shape, trained.crop.shape, strict=True))
        ink, bent_ink = drawn.crop < 128, trained.crop < 128
        assert 0.6 < np.count_nonzero(bent_ink) / np.count_nonzero(ink) < 1.6
        rows, bent_rows = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(bent_ink.any(axis=1))
        assert abs(int(rows.mean()) - int(bent_rows.mean())) <= 3
    assert bent >= 4 and same >= 1
    assert SampleStream(1, distort=True).distort and not SampleStream(1).distort
