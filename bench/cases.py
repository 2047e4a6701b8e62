"""The benchmark's pages: every template filled by a person (hand or type) and rendered at four levels.

A *copy* is one filled form; each copy is rendered at every level (``clean``, ``skewed``,
``photo``, ``fax``) with the ground-truth homography from the form's pixels (150 dpi) to the
image's. Foreign pages (a letter or a survey in the forms' style) are rendered the same way.
Everything is deterministic from the run's seed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from templateocr.synth import (
    SyntheticForm,
    foreign_page,
    sample_values,
    to_jpeg,
    to_png,
    warp_photo,
    warp_scan,
)
from templateocr.synth.degrade import cast_shadow, fax
from templateocr.synth.human import fill_like_a_person

__all__ = ["LEVELS", "Case", "foreign_case", "render", "seed_of", "template_case"]

LEVELS: tuple[str, ...] = ("clean", "skewed", "photo", "fax")


@dataclass(frozen=True, eq=False)
class Case:
    """One page to send: its bytes and what the server should answer for it."""

    lang: str
    kind: str | None  # None: a foreign page
    level: str
    copy: int
    handwritten: bool
    data: bytes
    fmt: str
    homography: NDArray[np.float64]
    expected: dict[str, str | bool]
    meta: dict[str, Any]


def seed_of(*parts: object) -> int:
    """A stable 31-bit seed from any parts (not Python's salted ``hash``)."""
    return zlib.crc32(":".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


def render(image: NDArray[np.uint8], level: str, seed: int) -> tuple[bytes, str, NDArray[np.float64]]:
    """Encode a filled page as it arrives at ``level``; returns ``(bytes, format, homography)``."""
    if level == "clean":
        return to_png(image), "png", np.eye(3)
    if level == "skewed":
        scan = warp_scan(image, seed=seed, max_rotation=5.0, max_shift=40, scale_range=(0.9, 1.1), noise=5.0)
        return to_jpeg(scan.image, quality=90), "jpg", scan.homography
    if level == "photo":
        photo = warp_photo(
            image, seed=seed, max_rotation=15.0, max_perspective=0.15, blur=1.0, jpeg_quality=None
        )
        return to_jpeg(cast_shadow(photo.image, seed=seed), quality=50), "jpg", photo.homography
    if level == "fax":
        sent = fax(image, seed=seed)
        return to_png(sent.image), "png", sent.homography
    raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")


def template_case(form: SyntheticForm, copy: int, level: str, run_seed: int) -> Case:
    """Copy ``copy`` of ``form`` (handwritten for even copies, typed for odd) at ``level``."""
    value_seed = seed_of(run_seed, form.lang, form.kind, copy)
    values = sample_values(form, value_seed, allow_empty=True)
    filled = fill_like_a_person(form, values, seed=value_seed, handwritten=copy % 2 == 0)
    data, fmt, matrix = render(filled.image, level, seed_of(run_seed, form.lang, form.kind, copy, level))
    return Case(
        lang=form.lang,
        kind=form.kind,
        level=level,
        copy=copy,
        handwritten=filled.handwritten,
        data=data,
        fmt=fmt,
        homography=matrix,
        expected=filled.expected,
        meta={
            "font": filled.font,
            "ink": list(filled.ink),
            "wrapped": sorted(filled.wrapped),
            "overlapped": sorted(filled.overlapped),
        },
    )


def foreign_case(lang: str, copy: int, level: str, run_seed: int) -> Case:
    """Foreign page ``copy`` (a letter or a survey) in ``lang`` at ``level``."""
    page = foreign_page(lang, seed=seed_of(run_seed, "foreign", lang, copy) % 1000)
    data, fmt, matrix = render(page, level, seed_of(run_seed, "foreign", lang, copy, level))
    return Case(lang, None, level, copy, False, data, fmt, matrix, {}, {})
