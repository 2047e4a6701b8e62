"""Simplified -> traditional (zh-TW) and simplified -> kanji (ja) on PP-OCR's typical slips."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from templateocr.engines.chinese import to_japanese, to_traditional

TRADITIONAL = [
    "臺北市信義區市府路1號",
    "台灣積體電路製造股份有限公司",
    "新北市板橋區中山路一段161號",
    "高雄市前鎮區成功二路",
    "台北市大安區羅斯福路四段1號",
    "國立臺灣大學",
    "里長辦公處",
    "于右任",
    "著作權",
    "裡面",
    "於是",
    "吳俊杰",
    "中華電信股份有限公司",
    "鴻海精密工業股份有限公司",
    "統一企業股份有限公司",
    "民國113年6月1日",
    "臺 台 於 裡 著 于 里 裏 着 后 干 只 松 系 面",
]


@pytest.mark.parametrize("text", TRADITIONAL)
def test_correct_traditional_text_is_never_changed(text: str) -> None:
    assert to_traditional(text) == text


def test_opencc_s2t_alone_would_change_correct_text() -> None:
    # Why the map keeps shared characters: OpenCC's s2t and s2tw rewrite 台 and 里.
    assert opencc.OpenCC("s2t").convert("台灣") == "臺灣"
    assert opencc.OpenCC("s2tw").convert("里長") != "里長"


def test_no_traditional_character_of_opencc_is_changed() -> None:
    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    traditional = {
        line.split("\t")[0] for line in (folder / "TSCharacters.txt").read_text("utf-8").splitlines()
    }
    text = "".join(sorted(c for c in traditional if len(c) == 1))
    assert len(text) > 2000
    assert to_traditional(text) == text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("统一企业股份有限公司", "統一企業股份有限公司"),
        ("臺北市内湖區", "臺北市內湖區"),
        ("吴俊傑", "吳俊傑"),
        ("谢宗翰", "謝宗翰"),
        ("黄淑芬", "黃淑芬"),
        ("国立臺灣大學", "國立臺灣大學"),
        ("10楼", "10樓"),
        ("頭发", "頭髮"),
        ("发票", "發票"),
        ("台湾积体电路", "台灣積體電路"),
        ("为", "為"),
    ],
)
def test_simplified_slips_become_taiwan_traditional(read: str, meant: str) -> None:
    assert to_traditional(read) == meant


def test_text_without_simplified_characters_is_returned_as_is() -> None:
    text = "John Smith 123-45-67890"
    assert to_traditional(text) is text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("爱知県名古屋市", "愛知県名古屋市"),
        ("株式会社日本产业", "株式会社日本産業"),
        ("辅", "輔"),
        ("金额", "金額"),
        ("东京都", "東京都"),
        ("吴", "呉"),
    ],
)
def test_simplified_slips_become_japanese_kanji(read: str, meant: str) -> None:
    assert to_japanese(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "東京都千代田区丸の内1-1-1",
        "山田 太郎",
        "国内",
        "発髪",
        "着物",
        "芸術",
        "株式会社山田商事",
        "渡辺 美咲",
        "令和6年",
    ],
)
def test_japanese_text_is_never_changed(text: str) -> None:
    assert to_japanese(text) == text


def test_ambiguous_simplified_characters_are_left_for_japanese() -> None:
    # 发 is 發 (発) or 髮 (髪): no safe choice without the word.
    assert to_japanese("发") == "发"
