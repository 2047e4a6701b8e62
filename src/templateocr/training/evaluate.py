"""The recognizer measured the way the issue asks: exact line match and character error rate on
fonts it never saw in training (and, for comparison, on its training fonts), printed and
handwriting-style apart, clean and degraded; the ONNX models as the server reads with them (one
model, or several together, see :mod:`templateocr.engines.crnn_ensemble`), through onnxruntime.

Every set is drawn from a fixed seed, so two models are compared on the same lines.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from templateocr.engines.crnn_ensemble import RecognizerEnsemble
from templateocr.engines.crnn_model import CrnnRecognizer
from templateocr.text_metrics import cer
from templateocr.training.charset import normalize_text
from templateocr.training.fonts import Split, Style, TrainFont, fonts_for
from templateocr.training.render import render_line
from templateocr.training.samples import pick_font
from templateocr.training.texts import TextSampler

__all__ = [
    "SETS",
    "EvalSet",
    "compare_engines",
    "evaluate_model",
    "print_comparison",
    "print_table",
    "sample_lines",
]


@dataclass(frozen=True)
class EvalSet:
    """Lines of some kinds of text written with one group of fonts."""

    name: str
    kinds: tuple[str, ...]
    style: Style | None
    hangul_fonts: bool | None


_KO = ("ko_name", "ko_company", "ko_address", "ko_free", "ko_mixed")
_LATIN = ("en_name", "en_address", "en_free", "email")
_DIGITS = ("date", "amount", "ident", "phone")

SETS: tuple[EvalSet, ...] = (
    EvalSet("korean printed", _KO, Style.PRINT, True),
    EvalSet("korean handwriting", _KO, Style.HAND, True),
    EvalSet("latin printed", _LATIN, Style.PRINT, None),
    EvalSet("latin handwriting", _LATIN, Style.HAND, None),
    EvalSet("digits printed", _DIGITS, Style.PRINT, None),
    EvalSet("digits handwriting", _DIGITS, Style.HAND, None),
)
"""The issue's groups; digits and dates (with amounts, ids and phone numbers) printed and
handwriting-style apart, as the other groups are."""


def _fonts(split: Split, spec: EvalSet) -> list[TrainFont]:
    return fonts_for(split, spec.style, hangul=spec.hangul_fonts)


def sample_lines(
    spec: EvalSet, split: Split, degrade: bool, count: int, seed: int, *, crops: bool = False
) -> list[tuple[str, Any]]:
    """``count`` texts of ``spec`` drawn from ``seed`` and rendered with its fonts of ``split``:
    model-ready lines, or with ``crops`` the field-like crops they were cut out of."""
    texts = TextSampler(seed)
    fonts = _fonts(split, spec)
    import random

    rng = random.Random(seed)
    out: list[tuple[str, Any]] = []
    attempts = 0
    while len(out) < count and attempts < count * 20:
        attempts += 1
        text = normalize_text(texts.of_kind(spec.kinds[attempts % len(spec.kinds)]))
        font = pick_font(text, fonts, rng, hand_share=0.5)
        if font is None:
            continue
        rendered = render_line(text, font, rng.randrange(2**31), degrade=degrade)
        if rendered is not None:
            out.append((text, rendered.crop if crops else rendered.line))
    return out


def evaluate_model(
    models: Sequence[tuple[Path, float]], lines: int = 200, seed: int = 20261124
) -> dict[str, Any]:
    """Exact match and CER per set, split and condition of the models (paths with their
    weights) read together, or of one model, with the reader's speed per line."""
    members = [CrnnRecognizer(path, threads=1) for path, _ in models]
    recognizer = RecognizerEnsemble(members, [weight for _, weight in models])
    rows: list[dict[str, Any]] = []
    elapsed, read_count = 0.0, 0
    for spec in SETS:
        for split in (Split.HELD_OUT, Split.TRAIN):
            for degrade in (False, True):
                sample = sample_lines(spec, split, degrade, lines, seed + len(rows))
                exact, errors = 0, 0.0
                for text, line in sample:
                    started = time.perf_counter()
                    (reading,) = recognizer.recognize([line])
                    elapsed += time.perf_counter() - started
                    read_count += 1
                    exact += reading.text == text
                    errors += cer(text, reading.text)
                rows.append(
                    {
                        "set": spec.name,
                        "fonts": split.value,
                        "condition": "degraded" if degrade else "clean",
                        "lines": len(sample),
                        "exact": exact / max(1, len(sample)),
                        "cer": errors / max(1, len(sample)),
                    }
                )
    return {
        "model": " + ".join(
            f"{path.name} (x{weight:g})" if len(models) > 1 else path.name for path, weight in models
        ),
        "step": " + ".join(str(member.metadata.get("step")) for member in members),
        "ms_per_line": 1000 * elapsed / max(1, read_count),
        "rows": rows,
    }


def print_table(table: dict[str, Any]) -> None:
    """The table as text."""
    print(f"model {table['model']} (step {table['step']}), {table['ms_per_line']:.2f} ms per line, 1 thread")
    print(f"{'set':<20} {'fonts':<9} {'condition':<9} {'lines':>5} {'exact':>7} {'CER':>7}")
    for row in table["rows"]:
        print(
            f"{row['set']:<20} {row['fonts']:<9} {row['condition']:<9} {row['lines']:>5} "
            f"{row['exact']:>7.1%} {row['cer']:>7.2%}"
        )


def compare_engines(engines: dict[str, Any], lines: int = 100, seed: int = 20261125) -> dict[str, Any]:
    """Each engine (``name -> (OcrEngine, lang)``) reads the same field crops of the held-out
    fonts, degraded; exact match with and without spaces, and CER, per set. This is the
    measurement the server's routing follows."""
    import numpy as np

    from templateocr.engines.base import ReadOptions

    rows: list[dict[str, Any]] = []
    for index, spec in enumerate(SETS):
        sample = sample_lines(spec, Split.HELD_OUT, True, lines, seed + index, crops=True)
        numeric = spec.kinds == _DIGITS
        for name, (engine, _lang) in engines.items():
            exact = loose = 0
            errors = 0.0
            started = time.perf_counter()
            for text, crop in sample:
                rgb = np.ascontiguousarray(np.stack([crop] * 3, axis=-1))
                words = engine.read(rgb, ReadOptions(numeric=False))
                read = " ".join(w.text for w in words)
                exact += read == text
                loose += read.replace(" ", "") == text.replace(" ", "")
                errors += cer(text, read)
            rows.append(
                {
                    "set": spec.name,
                    "engine": name,
                    "lines": len(sample),
                    "exact": exact / max(1, len(sample)),
                    "exact_ignoring_spaces": loose / max(1, len(sample)),
                    "cer": errors / max(1, len(sample)),
                    "ms_per_crop": 1000 * (time.perf_counter() - started) / max(1, len(sample)),
                    "numeric_set": numeric,
                }
            )
    return {"rows": rows}


def print_comparison(table: dict[str, Any]) -> None:
    """The engine comparison as text."""
    print(f"{'set':<20} {'engine':<22} {'lines':>5} {'exact':>7} {'no-space':>8} {'CER':>7} {'ms':>6}")
    for row in table["rows"]:
        print(
            f"{row['set']:<20} {row['engine']:<22} {row['lines']:>5} {row['exact']:>7.1%} "
            f"{row['exact_ignoring_spaces']:>8.1%} {row['cer']:>7.2%} {row['ms_per_crop']:>6.1f}"
        )
