"""Synthetic forms for tests, benchmarks and demos.

Render a blank form and its template definition (:func:`build_form`), invent values for it
(:func:`sample_values`), print them on a copy (:func:`fill_form`), warp the copy like a scan or a
phone photo with the ground-truth homography (:func:`warp_scan`, :func:`warp_photo`, :func:`warp`)
and encode pages as PNG, JPEG, PDF or TIFF (:mod:`templateocr.synth.package`). Everything is
deterministic from its seed. Layouts: :data:`KINDS`; languages: ``ko``, ``ja``, ``zh-TW``, ``en``.
"""

from __future__ import annotations

from templateocr.synth.fill import fill_form, value_font_size
from templateocr.synth.fonts import font_path, load_font
from templateocr.synth.forms import KINDS, LANGS, SyntheticForm, build_form, foreign_page
from templateocr.synth.package import to_jpeg, to_pdf, to_png, to_tiff
from templateocr.synth.values import sample_values
from templateocr.synth.warp import Warp, warp, warp_photo, warp_scan

__all__ = [
    "KINDS",
    "LANGS",
    "SyntheticForm",
    "Warp",
    "build_form",
    "fill_form",
    "font_path",
    "foreign_page",
    "load_font",
    "sample_values",
    "to_jpeg",
    "to_pdf",
    "to_png",
    "to_tiff",
    "value_font_size",
    "warp",
    "warp_photo",
    "warp_scan",
]
