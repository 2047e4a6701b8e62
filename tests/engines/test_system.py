"""The start-up check for Tesseract's language data."""

from __future__ import annotations

from pathlib import Path

import pytest

from templateocr.engines.system import (
    DEBIAN_PACKAGES,
    LANGS,
    TESSDATA_DIRS,
    missing_system_packages,
    require_system_packages,
    tessdata_dir,
)
from templateocr.exceptions import ConfigurationError


def test_this_machine_has_what_the_routes_need() -> None:
    assert missing_system_packages() == []
    require_system_packages()


def test_tessdata_prefix_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert tessdata_dir() == tmp_path
    # Tesseract 3's spelling: the folder above ``tessdata``.
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "eng.traineddata").write_bytes(b"")
    assert tessdata_dir() == tmp_path / "tessdata"


def test_without_tessdata_prefix_a_system_folder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    assert tessdata_dir() in TESSDATA_DIRS


def test_missing_models_name_their_debian_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert missing_system_packages(["ko"]) == ["tesseract-ocr-kor", "tesseract-ocr-eng"]
    assert missing_system_packages(["ja", "zh-TW", "en"]) == []
    (tmp_path / "eng.traineddata").write_bytes(b"")
    assert missing_system_packages(LANGS) == ["tesseract-ocr-kor"]
    with pytest.raises(ConfigurationError) as raised:
        require_system_packages()
    message = str(raised.value)
    assert "kor.traineddata" in message and str(tmp_path) in message
    assert "apt-get install --no-install-recommends tesseract-ocr-kor" in message
    assert raised.value.exit_code == 2


def test_unknown_language(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="Unknown reading language 'de'"):
        missing_system_packages(["de"])


def test_every_model_has_a_package() -> None:
    assert set(DEBIAN_PACKAGES) == {"kor", "jpn", "chi_tra", "eng"}
