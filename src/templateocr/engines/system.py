"""The system data the engines need (Tesseract's language files), and a check for it at start.

Tesseract's trained models come from Debian packages (``tesseract-ocr-kor`` and so on), not
from pip. The server calls :func:`require_system_packages` when it starts, so a missing
package is a clear configuration error rather than a failure on the first request.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from templateocr.exceptions import ConfigurationError

__all__ = [
    "DEBIAN_PACKAGES",
    "LANGS",
    "TESSDATA_BY_LANG",
    "TESSDATA_DIRS",
    "missing_system_packages",
    "require_system_packages",
    "tessdata_dir",
]

LANGS = ("ko", "ja", "zh-TW", "en")
"""The reading languages the engines serve."""

TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)
"""Where Debian/Ubuntu (and some other distributions) put Tesseract's language files."""

TESSDATA_BY_LANG: dict[str, tuple[str, ...]] = {
    "ko": ("kor", "eng"),  # Hangul; eng for the digits engine (`tesseract-digits`, when forced)
    "ja": (),
    "zh-TW": (),
    "en": (),
}
"""The Tesseract models each reading language's routes use (see ``registry.py``)."""

DEBIAN_PACKAGES = {
    "kor": "tesseract-ocr-kor",
    "jpn": "tesseract-ocr-jpn",
    "chi_tra": "tesseract-ocr-chi-tra",
    "eng": "tesseract-ocr-eng",
}
"""The Debian package holding each Tesseract model."""


def tessdata_dir() -> Path:
    """The folder of Tesseract's ``*.traineddata``: ``TESSDATA_PREFIX``, else the first system
    location that exists (else the Debian 12 one, for error messages)."""
    configured = os.environ.get("TESSDATA_PREFIX")
    if configured:
        folder = Path(configured)
        # Tesseract 3 took the parent of ``tessdata``; accept that spelling too.
        if not any(folder.glob("*.traineddata")) and (folder / "tessdata").is_dir():
            return folder / "tessdata"
        return folder
    for candidate in TESSDATA_DIRS:
        if candidate.is_dir():
            return candidate
    return TESSDATA_DIRS[0]


def _models_for(langs: Iterable[str]) -> list[str]:
    models: list[str] = []
    for lang in langs:
        if lang not in TESSDATA_BY_LANG:
            raise ConfigurationError(
                f"Unknown reading language {lang!r}; expected one of {', '.join(LANGS)}."
            )
        models.extend(m for m in TESSDATA_BY_LANG[lang] if m not in models)
    return models


def missing_system_packages(langs: Iterable[str] = LANGS) -> list[str]:
    """The Debian packages to install so that every route of ``langs`` has its model."""
    folder = tessdata_dir()
    return [DEBIAN_PACKAGES[m] for m in _models_for(langs) if not (folder / f"{m}.traineddata").is_file()]


def require_system_packages(langs: Iterable[str] = LANGS) -> None:
    """Raise :class:`ConfigurationError` naming what to install when a model is missing."""
    langs = list(langs)
    missing = missing_system_packages(langs)
    if not missing:
        return
    folder = tessdata_dir()
    files = ", ".join(f"{m}.traineddata" for m in _models_for(langs) if DEBIAN_PACKAGES[m] in missing)
    raise ConfigurationError(
        f"Tesseract language data is missing: {files} not found in {folder}. "
        f"Install it with: apt-get install --no-install-recommends {' '.join(missing)} "
        "(or set TESSDATA_PREFIX to a folder that holds these files)."
    )
