"""Font lookup: the right regional face of Noto CJK, DejaVu for English, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from templateocr.synth import fonts
from templateocr.synth.fonts import font_path, load_font


@pytest.mark.parametrize(
    ("lang", "family"),
    [
        ("ko", "Noto Sans CJK KR"),
        ("ja", "Noto Sans CJK JP"),
        ("zh-TW", "Noto Sans CJK TC"),
        ("en", "DejaVu Sans"),
    ],
)
def test_face_matches_language(lang: str, family: str) -> None:
    path, _ = font_path(lang)
    assert path.is_file()
    assert load_font(lang, 20).getname()[0] == family


@pytest.mark.parametrize("lang", ["ko", "ja", "zh-TW", "en"])
def test_styles_differ(lang: str) -> None:
    names = {load_font(lang, 20, style).getname() for style in ("sans", "serif", "bold")}
    assert len(names) == 3


def test_bold_serif_faces_keep_the_region() -> None:
    assert load_font("ko", 20, "bold").getname() == ("Noto Sans CJK KR", "Bold")
    assert load_font("zh-TW", 20, "serif").getname()[0] == "Noto Serif CJK TC"


def test_load_font_is_cached() -> None:
    assert load_font("ja", 31) is load_font("ja", 31)


def test_unknown_language_or_style() -> None:
    with pytest.raises(ValueError, match="zh-CN"):
        font_path("zh-CN")
    with pytest.raises(ValueError, match="italic"):
        font_path("en", "italic")


def test_missing_font_names_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "_SYSTEM_DIRS", ())
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="fonts-noto-cjk"):
        font_path("ko")
    with pytest.raises(FileNotFoundError, match="fonts-dejavu-core"):
        font_path("en", "bold")


def test_env_dir_is_searched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    system, _ = font_path("en")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "DejaVuSans.ttf").symlink_to(system)
    monkeypatch.setattr(fonts, "_SYSTEM_DIRS", ())
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path))
    path, index = font_path("en")
    assert path == tmp_path / "fonts" / "DejaVuSans.ttf"
    assert index == 0
