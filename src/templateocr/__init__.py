"""templateocr: a self-hosted template OCR server that speaks CLOVA OCR's Template OCR API."""

from __future__ import annotations

from templateocr.exceptions import TemplateOcrError

__all__ = ["TemplateOcrError", "__version__"]

__version__ = "0.1.0"
