"""Tesseract (tesserocr) on rendered Korean crops and the digits route."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from engine_crops import blank, degrade, joined, overlap, render, squash

from templateocr.engines.base import OcrEngine, ReadOptions
from templateocr.engines.registry import EngineSet
from templateocr.engines.tesseract import DIGITS, TesseractEngine
from templateocr.exceptions import ConfigurationError

KO = [
    "김민준",
    "서울특별시 강남구 테헤란로 123",
    "경기도 성남시 분당구 판교역로 235",
    "주식회사 한빛소프트",
    "대표이사 김철수",
    "2024년 6월 1일",
    "010-1234-5678",
]
NUMBERS = ["123-45-67890", "2024-06-01", "1,234,500", "010-1234-5678", "2024.06.01", "06/01/2024"]


@pytest.fixture(scope="module")
def kor(engines: EngineSet) -> OcrEngine:
    return engines.engine("tesseract-kor")


@pytest.fixture(scope="module")
def digits(engines: EngineSet) -> OcrEngine:
    return engines.engine("tesseract-digits")


@pytest.mark.parametrize("box", [False, True], ids=["plain", "boxed"])
@pytest.mark.parametrize("text", KO)
def test_reads_korean_with_its_spaces(kor: OcrEngine, text: str, box: bool) -> None:
    crop = render(text, "ko", box=box, size=26)
    assert joined(kor.read(crop.image, ReadOptions())) == text


def test_degraded_korean_mostly_reads_exactly(kor: OcrEngine) -> None:
    exact = spaced = 0
    for seed, text in enumerate(KO * 2):
        crop = render(
            text, "ko", box=seed % 2 == 0, size=(22, 28, 34)[seed % 3], style=("sans", "bold")[seed % 2]
        )
        read = joined(kor.read(degrade(crop.image, seed), ReadOptions()))
        exact += squash(read) == squash(text)
        spaced += read == text
    assert exact >= 2 * len(KO) - 2 and spaced >= 2 * len(KO) - 3, (exact, spaced)


@pytest.mark.parametrize("text", NUMBERS)
def test_the_digits_route_reads_numbers(digits: OcrEngine, text: str) -> None:
    crop = render(text, "en", box=True)
    assert joined(digits.read(crop.image, ReadOptions(numeric=True))) == text
    assert joined(digits.read(degrade(crop.image, 3), ReadOptions(numeric=True))) == text


def test_the_digits_route_answers_only_digits_and_separators(digits: OcrEngine) -> None:
    crop = render("No. 12 Abc", "en")
    text = joined(digits.read(crop.image, ReadOptions(numeric=True)))
    assert set(text) <= set(DIGITS + " ")


def test_two_korean_lines(kor: OcrEngine) -> None:
    crop = render(["김민준", "서울특별시 강남구 테헤란로 123"], "ko", box=True, size=24)
    words = kor.read(crop.image, ReadOptions(multiline=True))
    assert joined(words) == "김민준\n서울특별시 강남구 테헤란로 123"
    assert [w.line_break for w in words] == [True, False, False, False, True]


def test_word_boxes_lie_on_the_drawn_words(kor: OcrEngine) -> None:
    crop = render("서울특별시 강남구 테헤란로 123", "ko", box=True, size=28)
    words = kor.read(crop.image, ReadOptions())
    assert [w.text for w in words] == [w for w, _ in crop.words]
    h, w = crop.image.shape[:2]
    for word, (_, drawn) in zip(words, crop.words, strict=True):
        assert overlap(word.box, drawn) > 0.8, (word, drawn)
        assert 0 <= word.box[0] < word.box[2] <= w and 0 <= word.box[1] < word.box[3] <= h
        assert 0.0 <= word.confidence <= 1.0


@pytest.mark.parametrize(
    "image",
    [
        blank(),
        blank(box=True),
        blank(noise=True, seed=3),
        blank(box=True, noise=True, seed=4),
        np.zeros((1, 1, 3), np.uint8),
    ],
    ids=["white", "border", "noise", "border+noise", "1x1"],
)
def test_empty_fields_read_empty(kor: OcrEngine, digits: OcrEngine, image: np.ndarray) -> None:
    # Tesseract alone answers "00000" for a blank line: the line finder must not hand it one.
    assert kor.read(image, ReadOptions()) == []
    assert digits.read(image, ReadOptions(numeric=True)) == []


def test_a_single_character_box(kor: OcrEngine, digits: OcrEngine) -> None:
    crop = render("한", "ko", size=30, box=True)
    assert [w.text for w in kor.read(crop.image, ReadOptions(single_char=True))] == ["한"]
    crop = render("7", "en", size=30, box=True)
    assert [w.text for w in digits.read(crop.image, ReadOptions(single_char=True, numeric=True))] == ["7"]


def test_concurrent_reads_equal_sequential_ones() -> None:
    engine = TesseractEngine("kor", max_apis=2)
    crops = [render(t, "ko", box=i % 2 == 0).image for i, t in enumerate(KO)] * 2
    sequential = [engine.read(c, ReadOptions()) for c in crops]
    with ThreadPoolExecutor(max_workers=3) as pool:
        concurrent = list(pool.map(lambda c: engine.read(c, ReadOptions()), crops))
    assert concurrent == sequential
    assert 1 <= len(engine._idle) <= 2  # APIs are reused, never more than max_apis
    engine.close()


def test_a_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="apt-get install --no-install-recommends tesseract-ocr-kor"):
        TesseractEngine("kor", tessdata=tmp_path)
