"""Which released template a page is, or none of them.

Aligning every candidate in full would multiply the cost of a page by the number of templates,
so the work is staged, and stops as soon as a candidate is sure (``_SURE``):

1. every candidate is *screened*: the page's ``_SCREEN_FEATURES`` strongest keypoints matched
   against the sample, then RANSAC (about a fourth of a full match);
2. candidates with screening evidence, most first, are refined and scored: straight from the
   screening homography when it is strong, else after matching all keypoints;
3. when none is sure, the other candidates are matched with all keypoints (a small or blurred
   copy can escape the screening) and refined where a homography was found;
4. when still none is sure, the best one gets guided re-matching (``align.improve``).

A copy of a released template usually costs one screening per candidate plus one refinement;
a page that no candidate explains (a foreign page, a very hard photo) goes through every stage:
one full match per candidate.

The score of an ``Alignment`` (0..1) is the share of the sample's print found in the page where
the homography puts it (see ``align.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from templateocr.pipeline.align import Alignment, CoarseMatch, coarse_match, complete, improve, screen
from templateocr.pipeline.features import Features

__all__ = ["DEFAULT_THRESHOLD", "Match", "classify"]

DEFAULT_THRESHOLD = 0.6
"""The least score accepted. Measured on synthetic scans and phone photos (see the tests and the
design notes): real copies score 0.86-1.0 against a blank sample, or against a filled one whose
field areas were ignored when its features were extracted; foreign pages, forms of the same
style sharing captions and rules with it included, score at most 0.43."""

_SCREEN_FEATURES = 800  # the page's strongest keypoints used to screen candidates
_SURE = 0.8  # a candidate scoring this stops the search
_DIRECT = 30  # screening inliers from which the screening homography is refined directly
_MIN_EVIDENCE = 10  # screening inliers that make a candidate worth refining


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


def _best(first: Alignment | None, second: Alignment | None) -> Alignment | None:
    if first is None or (second is not None and second.score > first.score):
        return second
    return first


def _align(template: Features, page: Features, screened: _Screened) -> Alignment | None:
    """Refine and score one candidate: from its screening match when strong, else in full."""
    found: Alignment | None = None
    if screened.coarse is not None and screened.coarse.inliers >= _DIRECT:
        found = complete(template, page, screened.coarse, retry=False)
        if found.score >= _SURE:
            return found
    full = coarse_match(template, page)
    if full is not None:
        found = _best(found, complete(template, page, full, retry=False))
    return found


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
        _Screened(index, *screen(template, page, page_limit=_SCREEN_FEATURES))
        for index, template in enumerate(candidates)
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

    aligned: set[int] = set()
    for item in (s for s in screened if s.evidence >= _MIN_EVIDENCE):
        aligned.add(item.index)
        alignment = _align(candidates[item.index], page, item)
        if alignment is not None:
            found[item.index] = alignment
        if sure():
            break
    if not sure():
        # the screening may have missed a small or blurred copy: match the rest with all keypoints
        for item in (s for s in screened if s.index not in aligned):
            full = coarse_match(candidates[item.index], page)
            if full is not None:
                found[item.index] = complete(candidates[item.index], page, full, retry=False)
            if sure():
                break
    top = best()
    if top is not None and top.alignment.score < _SURE:
        found[top.index] = improve(candidates[top.index], page, top.alignment)
    top = best()
    if top is None or top.alignment.score < threshold:
        return None
    return top
