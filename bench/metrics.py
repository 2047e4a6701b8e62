"""Scoring one ``/infer`` answer against a benchmark case, and summing scores per group.

Per page: was the right template chosen (or, for a foreign page, none)? Per field of a template
page: exact match and character edits for text fields with a value, checked-or-not for
checkboxes, empty-stays-empty for fields left blank, and where the field's area landed. A page
matched to the wrong template (or to none) counts every one of its fields as wrong.

Area placement: the response carries the area itself (mapped into the page by the server's
homography) as the ``boundingPoly`` of every empty field, every CHECKBOX and every MULTI_BOX
field. Those quads are mapped back into the form's frame with the inverse of the ground-truth
homography, and the mean distance of their four corners from the template's area corners is
the field's placement error, in form pixels (150 dpi).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from templateocr.geometry import apply_homography
from templateocr.models.template import FieldType, TemplateDefinition, ValueType
from templateocr.pipeline.calibration import field_key, raw_score
from templateocr.text_metrics import edit_distance

__all__ = ["GroupScore", "PageScore", "edit_distance", "normalise", "score_page"]


def normalise(text: str, lang: str = "en") -> str:
    """Whitespace collapsed to single spaces and trimmed (line breaks count as spaces).

    In ``ja`` and ``zh-TW``, which do not separate words with spaces, all whitespace is dropped.
    """
    if lang in ("ja", "zh-TW"):
        return "".join(text.split())
    return " ".join(text.split())


CONFIDENT = 0.9
"""``inferConfidence`` from which a field counts as confident: at least 97 % of those must be exact."""


@dataclass
class PageScore:
    """What one page scored."""

    foreign: bool
    correct: bool  # right template, or rejected for a foreign page
    latency_s: float
    texts: list[tuple[bool, int, int]] = field(default_factory=list)  # (exact, edits, length)
    checkboxes: list[bool] = field(default_factory=list)
    empties: list[bool] = field(default_factory=list)
    area_px: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    confident: list[bool] = field(default_factory=list)  # exact?, for text fields read at >= CONFIDENT
    readings: list[tuple[str, bool, float, float]] = field(default_factory=list)
    """(route key, exact, field confidence, raw score: the least sure word's) per text field read."""
    """Each text field read: (exact, inferConfidence, the words' inferConfidence), for calibration."""


def _quad(poly: dict[str, Any]) -> np.ndarray:
    return np.array([[v["x"], v["y"]] for v in poly["vertices"]], dtype=np.float64)


def score_page(
    image: dict[str, Any],
    *,
    definition: TemplateDefinition | None,
    expected_id: int | None,
    expected: dict[str, str | bool],
    homography: np.ndarray,
    latency_s: float,
) -> PageScore:
    """Score the response's image entry for one case (``definition`` None for a foreign page)."""
    matched = image.get("matchedTemplate", {}).get("id") if image.get("inferResult") == "SUCCESS" else None
    if definition is None:
        return PageScore(foreign=True, correct=matched is None, latency_s=latency_s)
    score = PageScore(foreign=False, correct=matched == expected_id, latency_s=latency_s)
    fields = {f["name"]: f for f in image.get("fields", [])} if score.correct else {}
    back = np.linalg.inv(homography)
    for spec in definition.fields:
        want = expected.get(spec.name, "")
        got = fields.get(spec.name)
        if spec.type is FieldType.CHECKBOX:
            score.checkboxes.append(got is not None and bool(got.get("checked")) is bool(want))
        else:
            truth = normalise(str(want), str(definition.lang.value))
            text = (
                normalise(str(got.get("inferText", "")), str(definition.lang.value))
                if got is not None
                else ""
            )
            if not truth:
                score.empties.append(got is not None and text == "")
            else:
                edits = edit_distance(text, truth) if got is not None else len(truth)
                score.texts.append((text == truth, edits, len(truth)))
                if got is not None and float(got.get("inferConfidence", 0.0)) >= CONFIDENT:
                    score.confident.append(text == truth)
                if got is not None:
                    key = field_key(
                        str(definition.lang.value),
                        numeric=spec.value_type is ValueType.NUMERIC,
                        box=spec.type is FieldType.MULTI_BOX,
                    )
                    subfields = got.get("subFields", [])
                    words = [float(w.get("inferConfidence", 0.0)) for w in subfields if w.get("inferText")]
                    conf = float(got.get("inferConfidence", 0.0))
                    score.readings.append((key, text == truth, conf, raw_score(words)))
                if text != truth:
                    score.errors.append(f"{spec.name}: {text!r} != {truth!r}")
        if got is not None and "boundingPoly" in got and (spec.type is not FieldType.NORMAL or not want):
            landed = apply_homography(back, _quad(got["boundingPoly"]))
            score.area_px.append(float(np.linalg.norm(landed - np.asarray(spec.area), axis=1).mean()))
    return score


@dataclass
class GroupScore:
    """Sums over the pages of one group (a language, a level, printed or handwritten...)."""

    pages: int = 0
    correct: int = 0
    foreign: int = 0
    rejected: int = 0
    text_fields: int = 0
    exact: int = 0
    edits: int = 0
    chars: int = 0
    checkboxes: int = 0
    checkbox_ok: int = 0
    empties: int = 0
    empty_ok: int = 0
    area_px: list[float] = field(default_factory=list)
    latency_s: list[float] = field(default_factory=list)
    confident: int = 0
    confident_exact: int = 0

    def add(self, page: PageScore) -> None:
        """Count one page in."""
        self.latency_s.append(page.latency_s)
        if page.foreign:
            self.foreign += 1
            self.rejected += page.correct
            return
        self.pages += 1
        self.correct += page.correct
        self.text_fields += len(page.texts)
        self.exact += sum(exact for exact, _, _ in page.texts)
        self.edits += sum(edits for _, edits, _ in page.texts)
        self.chars += sum(length for _, _, length in page.texts)
        self.checkboxes += len(page.checkboxes)
        self.checkbox_ok += sum(page.checkboxes)
        self.empties += len(page.empties)
        self.empty_ok += sum(page.empties)
        self.area_px.extend(page.area_px)
        self.confident += len(page.confident)
        self.confident_exact += sum(page.confident)

    def summary(self) -> dict[str, float | int | None]:
        """Rates (0..1), CER, area distances (form px at 150 dpi) and latencies (seconds)."""

        def rate(num: int, den: int) -> float | None:
            return round(num / den, 4) if den else None

        def pct(values: list[float], q: float) -> float | None:
            return round(float(np.percentile(values, q)), 3) if values else None

        return {
            "pages": self.pages,
            "classification": rate(self.correct, self.pages),
            "foreign_pages": self.foreign,
            "foreign_rejected": rate(self.rejected, self.foreign),
            "text_fields": self.text_fields,
            "exact_match": rate(self.exact, self.text_fields),
            "cer": rate(self.edits, self.chars),
            "checkboxes": self.checkboxes,
            "checkbox_accuracy": rate(self.checkbox_ok, self.checkboxes),
            "empty_fields": self.empties,
            "empty_accuracy": rate(self.empty_ok, self.empties),
            "confident_fields": self.confident,
            "exact_when_confident": rate(self.confident_exact, self.confident),
            "area_median_px": pct(self.area_px, 50),
            "area_p95_px": pct(self.area_px, 95),
            "latency_median_s": pct(self.latency_s, 50),
            "latency_p95_s": pct(self.latency_s, 95),
        }
