"""Which released template a page is, or none of them.

Aligning every candidate in full would multiply the cost of a page by the number of templates,
so candidates are first *screened* cheaply: the page's strongest keypoints only, matched against
each sample, then RANSAC. Candidates are then aligned in full (all keypoints, patch refinement,
verification score) in the order of their screening evidence, and the search stops as soon as
one is sure. A strong screening match is refined directly, skipping the full matching.

Only a page that no candidate explains (a foreign page, or a very hard photo) costs a full
alignment of every candidate with screening evidence, plus ``_FALLBACK`` without.

The score of an ``Alignment`` (0..1) is the share of the sample's print found in the page where
the homography puts it (see ``align.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from templateocr.pipeline.align import Alignment, CoarseMatch, complete, screen
from templateocr.pipeline.features import Features

__all__ = ["DEFAULT_THRESHOLD", "Match", "classify"]

DEFAULT_THRESHOLD = 0.6
"""The least score accepted. Measured on synthetic scans and phone photos (tests): real copies
score 0.86-1.0 against a blank sample (or a filled one whose field areas were ignored when its
features were extracted); foreign pages, forms of the same style sharing captions and rules
included, at most 0.42. 0.6 is about the geometric middle."""

_SCREEN_FEATURES = 800  # the page's strongest keypoints used to screen candidates
_SURE = 0.8  # a candidate scoring this stops the search
_DIRECT = 30  # screening inliers from which the screening homography is refined directly
_MIN_EVIDENCE = 10  # screening inliers that make a candidate worth a full alignment
_FALLBACK = 3  # candidates without screening evidence still aligned in full when none passed


@dataclass(frozen=True)
class Match:
    """The template a page was found to be: its position among the candidates, and the alignment."""

    index: int
    """Position in the ``candidates`` sequence given to ``classify``."""
    alignment: Alignment


@dataclass(frozen=True)
class _Screened:
    index: int
    matches: int
    coarse: CoarseMatch | None

    @property
    def evidence(self) -> int:
        return self.coarse.inliers if self.coarse is not None else 0


def _align_fully(template: Features, page: Features, screened: _Screened) -> Alignment | None:
    """The candidate's best alignment: from the screening match when strong, else in full."""
    best: Alignment | None = None
    if screened.coarse is not None and screened.coarse.inliers >= _DIRECT:
        best = complete(template, page, screened.coarse)
        if best.score >= _SURE:
            return best
    _, full = screen(template, page)
    if full is not None:
        alignment = complete(template, page, full)
        if best is None or alignment.score > best.score:
            best = alignment
    return best


def classify(
    page: Features, candidates: Sequence[Features], *, threshold: float = DEFAULT_THRESHOLD
) -> Match | None:
    """Find the candidate template the page is a copy of.

    Args:
        page: the page's features.
        candidates: each candidate template's sample features.
        threshold: the least ``Alignment.score`` accepted; below it the page matches nothing.

    Returns:
        The best-scoring candidate at or above ``threshold``, or None. Deterministic: ties go
        to the earlier candidate.
    """
    screened = []
    for index, template in enumerate(candidates):
        matches, coarse = screen(template, page, page_limit=_SCREEN_FEATURES)
        screened.append(_Screened(index, matches, coarse))
    screened.sort(key=lambda item: (-item.evidence, -item.matches, item.index))
    with_evidence = [item for item in screened if item.evidence >= _MIN_EVIDENCE]
    without = [item for item in screened if item.evidence < _MIN_EVIDENCE][:_FALLBACK]
    best: Match | None = None
    for item in with_evidence + without:
        alignment = _align_fully(candidates[item.index], page, item)
        if alignment is not None and (best is None or alignment.score > best.alignment.score):
            best = Match(index=item.index, alignment=alignment)
        if best is not None and best.alignment.score >= max(_SURE, threshold):
            break
    if best is None or best.alignment.score < threshold:
        return None
    return best
