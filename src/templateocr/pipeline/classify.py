"""Which released template a page is, or none of them.

Aligning every candidate in full would multiply the cost of a page by the number of templates,
so the work is staged, and stops as soon as a candidate is sure (``_SURE``):

1. every candidate gets a *glance* (``align.glance``: the strongest few keypoints of page and
   sample matched, no geometry, about a fifteenth of a screening) that orders them;
2. in that order, candidates are *screened* (the strongest keypoints matched, then RANSAC:
   ``screen(..., quick=True)``, about a tenth of a full match); a strong screening is refined
   and scored at once (``align_screened``). The first sure candidate ends the search, once
   every candidate that glanced nearly as well (``_CONTEND``: another version of the same form,
   same layout and a different title) has had the same chance; the best score wins;
3. when none is sure, the candidates not yet tried are refined in the order of their screening
   inliers (straight from the screening homography when it is strong, else after matching all
   keypoints: a small or blurred copy can escape the screening); those whose screening found
   nothing are screened again with all the page's keypoints, and of those still without a
   homography only the ``_BLIND`` with the most good matches in that second screening are
   matched in full, last; if still none is sure the best gets guided re-matching (``align.improve``).

A copy of a released template usually costs a glance per candidate, one or two screenings and
one refinement (with 4 templates about 15 ms less than screening all of them; with 50, ten
times that); a page that no candidate explains (a foreign page) costs a glance and a screening
per candidate, a second screening with all its keypoints, and a full match of the two that
came closest (with 12 templates ~0.6 s on one core, not ~1 s).

The score of an ``Alignment`` (0..1) is the share of the sample's print found in the page where
the homography puts it (see ``align.py``): a copy of one version scores about 0.85-0.92 against
another version whose title differs, 1.0 against its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from templateocr.pipeline.align import (
    STRONG_SCREENING,
    Alignment,
    CoarseMatch,
    align_screened,
    glance,
    improve,
    screen,
)
from templateocr.pipeline.features import Features

__all__ = ["DEFAULT_THRESHOLD", "Match", "classify"]

DEFAULT_THRESHOLD = 0.6
"""The least score accepted. Measured on synthetic scans and phone photos (see the tests and the
design notes): real copies score 0.86-1.0 against a blank sample, or against a filled one whose
field areas were ignored when its features were extracted; foreign pages, forms of the same
style sharing captions and rules with it included, score at most 0.43."""

_SURE = 0.8  # a candidate scoring this stops the search
_BLIND = 2
"""When none is sure, a candidate whose screening found no homography is screened again with
every keypoint of the page (``whole_page``, ~25 ms on one core): a photo whose strongest
keypoints lie off the form escapes the first screening but not this one (benchmark photos:
found with 28-51 inliers, every other form 0). Where that finds nothing too, only this many,
those with the most good matches in that second screening, are matched in full (~90 ms each),
after every candidate that a screening did explain: a foreign page, which no screening
explains, would otherwise cost a full match per released template. (Ranked by the first
screening's matches, a steep photo's own form, 37 matches there and 152 in the second, came
third after two forms of other languages with 46 and 37, and the page was rejected.)"""
_CONTEND = 0.7
"""A candidate whose glance reaches this share of the sure one's is tried before the search
stops: versions of one form glance alike (measured: a copy's own template glances about twice
as well as another form of its language)."""


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
    glances = [glance(template, page) for template in candidates]
    order = sorted(range(len(candidates)), key=lambda i: (-glances[i], i))
    screened: dict[int, _Screened] = {}
    found: dict[int, Alignment] = {}
    tried: set[int] = set()

    def best() -> Match | None:
        if not found:
            return None
        index = max(found, key=lambda i: (found[i].score, -i))
        return Match(index=index, alignment=found[index])

    def sure() -> bool:
        top = best()
        return top is not None and top.alignment.score >= max(_SURE, threshold)

    def screened_now(index: int) -> _Screened:
        if index not in screened:
            screened[index] = _Screened(index, *screen(candidates[index], page, quick=True))
        return screened[index]

    def attempt(item: _Screened) -> None:
        tried.add(item.index)
        alignment = align_screened(candidates[item.index], page, item.coarse, retry=False)
        if alignment is not None:
            found[item.index] = alignment

    # in glance order: a strong screening is refined at once, until one is sure
    for index in order:
        item = screened_now(index)
        if item.evidence >= STRONG_SCREENING:
            attempt(item)
            if sure():
                break
    top = best()
    if top is not None and sure():
        # another version of the same form glances nearly as well: it gets the same chance
        bar = _CONTEND * glances[top.index]
        for index in order:
            if index not in tried and glances[index] >= bar:
                item = screened_now(index)
                if item.evidence >= STRONG_SCREENING:
                    attempt(item)
    else:
        # none sure: the rest in the order of their screening inliers, while none is sure (the
        # screening may have missed a small or blurred copy)
        rest = [screened_now(index) for index in order if index not in tried]
        rest.sort(key=lambda item: (-item.evidence, -item.matches, item.index))
        blind: list[_Screened] = []  # no screening found a homography, even with every keypoint
        for item in rest:
            if item.coarse is None:
                item = _Screened(
                    item.index, *screen(candidates[item.index], page, quick=True, whole_page=True)
                )
                if item.coarse is None:
                    blind.append(item)
                    continue
            attempt(item)
            if sure():
                break
        if not sure():
            # the few that matched best with every keypoint of the page are matched in full
            blind.sort(key=lambda item: (-item.matches, -glances[item.index], item.index))
            for item in blind[:_BLIND]:
                attempt(item)
                if sure():
                    break
    top = best()
    if top is not None and top.alignment.score < _SURE:
        found[top.index] = improve(candidates[top.index], page, top.alignment)
    top = best()
    if top is None or top.alignment.score < threshold:
        return None
    return top
