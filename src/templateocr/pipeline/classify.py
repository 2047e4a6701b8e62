"""Which released template a page is, or none of them.

Matching every candidate in full would multiply the cost of a page by the number of templates,
so candidates are first *screened* cheaply (the page's strongest keypoints only, against each
sample's features, then RANSAC); the most promising ones are aligned in full (all keypoints,
patch refinement, verification score) in order of their screening evidence, and the search
stops as soon as one of them is sure enough. Only a page that no screened candidate explains
(a foreign page, or a very hard photo) costs a full alignment per candidate that showed any
evidence at all.

The score of an ``Alignment`` (0..1) is the share of the sample's printed structure found in
the page where the homography puts it; see ``align.py``. ``DEFAULT_THRESHOLD`` was chosen from
the measured score distributions of real copies and foreign pages (see the tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from templateocr.pipeline.align import Alignment, CoarseMatch, coarse_match, complete
from templateocr.pipeline.features import Features

__all__ = ["DEFAULT_THRESHOLD", "Match", "classify"]

DEFAULT_THRESHOLD = 0.5
"""Real copies score 0.8-1.0 (blank samples, or filled ones with their field areas ignored);
foreign pages, similar-looking forms included, at most about 0.4."""

_SCREEN_FEATURES = 800  # the page's strongest keypoints used to screen candidates
_SURE = 0.75  # a candidate scoring this stops the search (copies of a released template score higher)
_MIN_EVIDENCE = 8  # screening inliers below this: aligned in full only when nothing else passed


@dataclass(frozen=True)
class Match:
    """The template a page was found to be: its position among the candidates, and the alignment."""

    index: int
    """Position in the ``candidates`` sequence given to ``classify``."""
    alignment: Alignment


def classify(
    page: Features, candidates: Sequence[Features], *, threshold: float = DEFAULT_THRESHOLD
) -> Match | None:
    """Find the candidate template the page is a copy of.

    Args:
        page: the page's features.
        candidates: each candidate template's sample features.
        threshold: the least ``Alignment.score`` accepted; below it the page matches nothing.

    Returns:
        The best-scoring candidate at or above ``threshold``, or None.
    """
    if not candidates:
        return None
    screened: list[tuple[int, int, CoarseMatch | None]] = []
    for index, template in enumerate(candidates):
        found = coarse_match(template, page, page_limit=_SCREEN_FEATURES)
        screened.append((found.inliers if found is not None else 0, index, found))
    screened.sort(key=lambda item: (-item[0], item[1]))
    best: Match | None = None
    for rank, (evidence, index, _) in enumerate(screened):
        if rank > 0 and evidence < _MIN_EVIDENCE and best is not None:
            break
        full = coarse_match(candidates[index], page)
        if full is None:
            continue
        alignment = complete(candidates[index], page, full)
        if best is None or alignment.score > best.alignment.score:
            best = Match(index=index, alignment=alignment)
        if best.alignment.score >= max(_SURE, threshold):
            break
    if best is None or best.alignment.score < threshold:
        return None
    return best
