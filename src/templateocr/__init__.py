"""templateocr: a self-hosted template OCR server that speaks CLOVA OCR's Template OCR API."""

from __future__ import annotations

import os

# onnxruntime writes a telemetry cache under the home directory when it is imported unless told
# not to; templateocr never phones home or writes outside its data directory.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from templateocr.exceptions import TemplateOcrError  # noqa: E402

__all__ = ["TemplateOcrError", "__version__"]

__version__ = "0.1.0"
