"""PP-OCRv6 (rapidocr, rec-only per line) on rendered ja / zh-TW / en / digit crops."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from engine_crops import blank, degrade, joined, overlap, render, squash

from templateocr.engines.base import OcrEngine, ReadOptions
from templateocr.engines.rapid import RapidEngine, bundled_model_path
from templateocr.engines.registry import EngineSet

JA = ["山田 太郎", "東京都千代田区丸の内1-1-1", "株式会社山田商事", "高橋 陽子", "令和6年6月1日"]
ZH_TW = ["王小明", "臺北市信義區市府路1號", "台灣積體電路製造股份有限公司", "新北市板橋區中山路一段161號"]
EN = ["John Smith", "221B Baker Street", "Springfield, IL 62704", "info@example.com"]
DIGITS = ["123-45-67890", "2024-06-01", "1,234,500", "010-1234-5678", "06/01/2024"]


@pytest.fixture(scope="module")
def rapid(engines: EngineSet) -> OcrEngine:
    return engines.engine("rapid")


def test_the_model_comes_from_the_wheel() -> None:
    path = bundled_model_path()
    assert path.is_file() and path.name == "PP-OCRv6_rec_small.onnx"


@pytest.mark.parametrize("box", [False, True], ids=["plain", "boxed"])
@pytest.mark.parametrize(
    ("text", "lang"),
    [(t, "ja") for t in JA] + [(t, "zh-TW") for t in ZH_TW] + [(t, "en") for t in EN + DIGITS],
)
def test_reads_a_line_exactly(rapid: OcrEngine, text: str, lang: str, box: bool) -> None:
    crop = render(text, lang, box=box, style="serif" if len(text) % 2 else "sans")
    words = rapid.read(crop.image, ReadOptions())
    if lang == "en":
        assert joined(words) == text  # Latin keeps its spaces
    else:
        assert squash(joined(words)) == squash(text)
    assert words[-1].line_break and not any(w.line_break for w in words[:-1])


@pytest.mark.parametrize("text", ["山田 太郎", "高橋 陽子", "営業部 部長"])
def test_a_visible_space_between_japanese_names_is_kept(rapid: OcrEngine, text: str) -> None:
    crop = render(text, "ja", size=30)
    assert joined(rapid.read(crop.image, ReadOptions())) == text


def test_degraded_scans_mostly_read_exactly(rapid: OcrEngine) -> None:
    cases = [(t, "ja") for t in JA] + [(t, "en") for t in EN + DIGITS] + [(t, "zh-TW") for t in ZH_TW]
    exact = 0
    for seed, (text, lang) in enumerate(cases):
        crop = render(text, lang, box=seed % 2 == 0, size=(22, 28, 34)[seed % 3])
        exact += squash(joined(rapid.read(degrade(crop.image, seed), ReadOptions()))) == squash(text)
    assert exact >= len(cases) - 2, f"{exact} of {len(cases)}"


def test_two_lines_come_back_as_two_lines(rapid: OcrEngine) -> None:
    crop = render(["John Smith", "221B Baker Street"], "en", box=True)
    words = rapid.read(crop.image, ReadOptions(multiline=True))
    assert joined(words) == "John Smith\n221B Baker Street"
    crop = render(["山田 太郎", "東京都千代田区丸の内1-1-1"], "ja", box=True, size=24)
    words = rapid.read(degrade(crop.image, 4), ReadOptions(multiline=True))
    assert [squash(line) for line in joined(words).split("\n")] == ["山田太郎", "東京都千代田区丸の内1-1-1"]


def test_touching_lines_come_back_as_two_lines(rapid: OcrEngine) -> None:
    """Lines so close that the descenders of one touch the next are one band of ink: read whole
    it was ``742Eversreen`` (the second line lost); its halves read better and win."""
    crop = render(["742 Evergreen Way,", "Springfield"], "en", size=30, leading=0.95)
    lines = joined(rapid.read(crop.image, ReadOptions(multiline=True))).split("\n")
    assert len(lines) == 2 and lines[0].startswith("742 Ever") and lines[1] == "Springfield"
    crop = render(["東京都千代田区", "丸の内1-1-1"], "ja", size=30, leading=0.95)
    lines = joined(rapid.read(crop.image, ReadOptions(multiline=True))).split("\n")
    assert [squash(line) for line in lines] == ["東京都千代田区", "丸の内1-1-1"]


def test_word_boxes_lie_on_the_drawn_words(rapid: OcrEngine) -> None:
    for text, lang in [("221B Baker Street", "en"), ("山田 太郎", "ja"), ("Springfield, IL 62704", "en")]:
        crop = render(text, lang, box=True, size=30)
        words = rapid.read(crop.image, ReadOptions())
        assert [w.text for w in words] == [w for w, _ in crop.words]
        for word, (_, drawn) in zip(words, crop.words, strict=True):
            assert overlap(word.box, drawn) > 0.8, (word, drawn)


def test_boxes_and_confidences_are_within_bounds(rapid: OcrEngine) -> None:
    crop = render(["Acme Corporation", "1600 Pennsylvania Avenue NW"], "en", pad=(0, 0))
    h, w = crop.image.shape[:2]
    words = rapid.read(crop.image, ReadOptions(multiline=True))
    assert len(words) == 6
    for word in words:
        left, top, right, bottom = word.box
        assert 0 <= left < right <= w and 0 <= top < bottom <= h
        assert 0.0 <= word.confidence <= 1.0
        assert word.confidence > 0.8


@pytest.mark.parametrize(
    "image",
    [
        blank(),
        blank(box=True),
        blank(noise=True, seed=7),
        blank(box=True, noise=True, seed=8),
        np.full((1, 1, 3), 255, np.uint8),
        np.zeros((1, 1, 3), np.uint8),
        np.zeros((30, 200, 3), np.uint8),
    ],
    ids=["white", "border", "noise", "border+noise", "1x1 white", "1x1 black", "all black"],
)
def test_empty_fields_read_empty(rapid: OcrEngine, image: np.ndarray) -> None:
    assert rapid.read(image, ReadOptions()) == []
    assert rapid.read(image, ReadOptions(numeric=True, multiline=True)) == []


def test_a_single_character_box(rapid: OcrEngine) -> None:
    for char in ["7", "A", "愛"]:
        crop = render(char, "ja", size=30, pad=(12, 10), box=True)
        words = rapid.read(crop.image, ReadOptions(single_char=True))
        assert [w.text for w in words] == [char]


def test_concurrent_reads_equal_sequential_ones(rapid: OcrEngine) -> None:
    crops = [render(t, "ja").image for t in JA] + [render(t, "en", box=True).image for t in EN + DIGITS]
    crops = crops * 2
    sequential = [rapid.read(c, ReadOptions()) for c in crops]
    with ThreadPoolExecutor(max_workers=2) as pool:
        concurrent = list(pool.map(lambda c: rapid.read(c, ReadOptions()), crops))
    assert concurrent == sequential


def test_thread_setting_is_honoured() -> None:
    engine = RapidEngine(intra_op_num_threads=2)
    session = engine._recognizer.session.session
    assert session.get_session_options().intra_op_num_threads == 2


def test_onnxruntime_writes_nothing_into_home(tmp_path: Path) -> None:
    # onnxruntime creates ~/.cache/Microsoft/... on import unless ORT_DISABLE_TELEMETRY is set.
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(tmp_path)
    code = (
        "import numpy as np\n"
        "from templateocr.engines.registry import EngineSet\n"
        "from templateocr.engines.base import ReadOptions\n"
        "EngineSet().engine('rapid').read(np.full((40, 90, 3), 255, np.uint8), ReadOptions())\n"
        "import onnxruntime\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "lang"), [("愛知県名古屋市中村区名駅4-7-1", "ja"), ("臺南市東區大學路1號", "zh-TW")]
)
def test_a_value_cut_by_the_area_edge_is_read_whole(rapid: OcrEngine, text: str, lang: str) -> None:
    crop = render(text, lang, pad=(16, 20))
    dark = np.flatnonzero((crop.image.min(axis=2) < 128).any(axis=1))
    low = crop.image[: int(dark[-1]) - 1]  # the area's edge crosses the letters' feet
    assert squash(joined(rapid.read(low, ReadOptions()))) == squash(text)
