"""Which released template a page is, or none of them.

Aligning every candidate in full would multiply the cost of a page by the number of templates,
so the work is staged, and stops as soon as a candidate is sure (``_SURE``):

1. every candidate is *screened*: the strongest keypoints of page and sample matched, then
   RANSAC (``screen(..., quick=True)``, about a tenth of a full match);
2. in the order of their screening inliers, candidates are refined and scored
   (``align_screened``): straight from the screening homography when it is strong, else after
   matching all keypoints (a small or blurred copy can escape the screening);
3. when none is sure, the best gets guided re-matching (``align.improve``).

A copy of a released template usually costs one screening per candidate plus one refinement;
a page that no candidate explains (a foreign page) costs a full match per candidate.

The score of an ``Alignment`` (0..1) is the share of the sample's print found in the page where
the homography puts it (see ``align.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from templateocr.pipeline.align import Alignment, CoarseMatch, align_screened, improve, screen
from templateocr.pipeline.features import Features

__all__ = ["DEFAULT_THRESHOLD", "Match", "classify"]

DEFAULT_THRESHOLD = 0.6
"""The least score accepted. Measured on synthetic scans and phone photos (see the tests and the
design notes): real copies score 0.86-1.0 against a blank sample, or against a filled one whose
field areas were ignored when its features were extracted; foreign pages, forms of the same
style sharing captions and rules with it included, score at most 0.43."""

_SURE = 0.8  # a candidate scoring this stops the search


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
    screened = [
        _Screened(index, *screen(template, page, quick=True)) for index, template in enumerate(candidates)
    ]
    screened.sort(key=lambda item: (-item.evidence, -item.matches, item.index))
    found: dict[int, Alignment] = {}

    def best() -> Match | None:
        if not found:
            return None
        index = max(found, key=lambda i: (found[i].score, -i))
        return Match(index=index, alignment=found[index])

    def sure() -> bool:
        top = best()
        return top is not None and top.alignment.score >= max(_SURE, threshold)

    # the most promising first; the others only while none is sure: the screening may have
    # missed a small or blurred copy
    for item in screened:
        alignment = align_screened(candidates[item.index], page, item.coarse, retry=False)
        if alignment is not None:
            found[item.index] = alignment
        if sure():
            break
    top = best()
    if top is not None and top.alignment.score < _SURE:
        found[top.index] = improve(candidates[top.index], page, top.alignment)
    top = best()
    if top is None or top.alignment.score < threshold:
        return None
    return top
