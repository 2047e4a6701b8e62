"""Page <-> template homography: feature matching and RANSAC, then patch refinement and a score.

1. **Coarse** (``screen``, ``coarse_match``): ORB descriptors matched with a ratio test
   (rotation-free: any orientation of the page, 90/180/270 included) against the sample's
   keypoints at two scales (a page photographed small still matches), then MAGSAC++ on the
   working images, on all matches and on a spatially balanced subset, and sanity checks
   (``plausible``: finite, not mirrored, a convex template quad of sane size and perspective
   lying mostly in the page). ``screen(..., quick=True)`` matches only the strongest keypoints.
2. **Refinement** (``refine``): the page is warped into the sample's working frame; structured
   patches of the sample (print, box corners) are searched for in a small window by normalised
   cross-correlation, and a correction homography is fitted to their shifts with RANSAC
   (filled-in ink, stamps and glare are its outliers). A wide then a narrow pass; a correction
   is kept only when it fits the patches better than the homography it corrects.
3. **Score** (``Refinement.score``): the share of the sample's *print* patches (text other than
   ruled lines: labels, titles, captions) found in the page exactly where the final homography
   puts them. Ruled lines and box corners are left out because forms of one style share them.
4. **Second chance** (``improve``): a low score after refinement may mean a rough coarse
   homography (few matches on a small or blurred page): the page is re-matched around its
   predictions without the ratio test (``guided_match``) and refined again.

What the sample needs beyond its ``Features`` (the half-size keypoints, the patches) is
computed on first use and kept as long as the ``Features`` object lives.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.geometry import apply_homography, is_convex
from templateocr.pipeline.features import Features, add_coarse_scale

__all__ = [
    "Alignment",
    "CoarseMatch",
    "Refinement",
    "align",
    "align_screened",
    "coarse_match",
    "complete",
    "glance",
    "guided_match",
    "improve",
    "plausible",
    "prepare_sample",
    "refine",
    "screen",
]

_RATIO = 0.8  # Lowe's ratio test on Hamming distances
_QUICK_PAGE = 800  # the page's strongest keypoints used to screen candidates
_QUICK_SAMPLE = 1200  # the sample's strongest keypoints used to screen (plus a third as many coarse ones)
_GLANCE_PAGE = 200  # the page's strongest keypoints matched at a glance (``glance``)
_GLANCE_SAMPLE = 300  # the sample's strongest keypoints matched at a glance (and a third as many coarse)
_MIN_MATCHES = 12  # fewer good matches: no homography is attempted
_MIN_INLIERS = 10  # fewer RANSAC inliers: no alignment
_RANSAC_PX = 3.0  # coarse reprojection threshold, page working pixels
_RANSAC_ITERATIONS = 30000  # enough for 13% inliers at 0.999 confidence (MAGSAC++ stops early)
_GUIDED_K = 5  # nearest sample descriptors considered per page keypoint in guided matching
_GUIDED_RADIUS = 40.0  # page working pixels around the predicted position
_GUIDED_HAMMING = 80  # of 256 bits: descriptors farther apart are never a match
_RETRY_BELOW = 0.8  # a refined score below this: not sure yet (full matching, guided re-matching)
STRONG_SCREENING = 30
"""Screening inliers from which the screening homography is refined directly, and a candidate is
worth refining at once (``classify``)."""
_COVERAGE_GRID = 8  # cells along the template's long side to judge how spread inliers are
_PER_CELL = 3  # matches per cell in the spatially balanced RANSAC hypothesis
_MAX_PERSPECTIVE = 4.0  # largest ratio of the homography's w over the template's corners
_MAX_SIDE_RATIO = 3.0  # largest ratio of opposite sides of the mapped template, and of aspect change

_PATCH = 32  # refinement patch side, template working pixels
_MAX_PATCHES = 220
_MAX_TEXT_PATCHES = 160
_STRUCTURE_FLOOR = 200.0  # mean min-eigenvalue of the gradient tensor: clear 2-D structure
_TEXT_SHARE = 0.03  # share of a patch's pixels that are print off ruled lines, to call it text
_SEARCH = (10, 3)  # search radius of each refinement pass, template working pixels
_STRIDE = (2, 1)  # every how many patches each pass searches
_WIDE_MIN = 40  # patches the wide pass keeps at least (fewer: it searches them all)
_FIT_PX = 1.5  # patch-shift RANSAC threshold, template working pixels
_NCC_MIN = 0.5  # a patch agrees when its correlation peak reaches this
_MIN_AGREE = 8  # fewer agreeing patches: no refinement; fewer print patches: score on all patches


@dataclass(frozen=True)
class Alignment:
    """A homography from template pixels to page pixels and how sure it is."""

    homography: NDArray[np.float64]
    """``(3, 3)`` template px -> page px (original pixel coordinates of both)."""
    inliers: int
    """Feature matches consistent with the coarse homography."""
    inlier_ratio: float
    """``inliers`` over the ratio-test matches."""
    score: float
    """0..1, how surely the page is this template: the share of the sample's print patches found
    in the page where the homography puts them."""
    reprojection_error_px: float = 0.0
    """RMS distance, in sample pixels, between where the agreeing patches were found and where
    the homography puts them (how well the areas sit on the printed boxes)."""


@dataclass(frozen=True)
class CoarseMatch:
    """The result of feature matching + RANSAC, before refinement."""

    homography: NDArray[np.float64]
    """``(3, 3)`` template px -> page px (original pixel coordinates)."""
    inliers: int
    matches: int


def _scaling(scale: float) -> NDArray[np.float64]:
    """The matrix taking original pixel coordinates to working ones (pixel-centre convention)."""
    offset = 0.5 * scale - 0.5
    return np.array([[scale, 0.0, offset], [0.0, scale, offset], [0.0, 0.0, 1.0]])


def _to_working(homography: NDArray[np.float64], template: Features, page: Features) -> NDArray[np.float64]:
    result: NDArray[np.float64] = _scaling(page.scale) @ homography @ np.linalg.inv(_scaling(template.scale))
    return result


def _to_original(homography: NDArray[np.float64], template: Features, page: Features) -> NDArray[np.float64]:
    result: NDArray[np.float64] = np.linalg.inv(_scaling(page.scale)) @ homography @ _scaling(template.scale)
    normalised: NDArray[np.float64] = result / result[2, 2]
    return normalised


def plausible(homography: NDArray[np.float64], template: Features, page: Features) -> bool:
    """Sanity checks: the template maps onto a convex, unmirrored quad of sane size in the page."""
    if homography.shape != (3, 3) or not np.all(np.isfinite(homography)):
        return False
    w, h = float(template.width), float(template.height)
    corners = np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
    denominators = np.hstack([corners, np.ones((4, 1))]) @ homography[2]
    if denominators.max() < 0:  # the same homography scaled by -1
        denominators = -denominators
    if np.any(denominators <= 0) or denominators.max() / denominators.min() > _MAX_PERSPECTIVE:
        return False  # the template plane folds over the horizon or the perspective is absurd
    quad = apply_homography(homography, corners)
    if not is_convex(quad):
        return False
    x, y = quad[:, 0], quad[:, 1]
    signed = 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    if signed <= 0:
        return False  # mirrored (corners are clockwise in the template, y down)
    page_area = float(page.width * page.height)
    if not 0.02 * page_area <= signed <= 4.0 * page_area:
        return False
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    opposite = max(sides[0] / sides[2], sides[2] / sides[0], sides[1] / sides[3], sides[3] / sides[1])
    aspect = (sides[0] + sides[2]) / (sides[1] + sides[3]) / (w / h)
    if opposite > _MAX_SIDE_RATIO or not 1 / _MAX_SIDE_RATIO <= aspect <= _MAX_SIDE_RATIO:
        return False
    grid = np.stack(np.meshgrid(np.linspace(0, w, 9), np.linspace(0, h, 9)), axis=-1).reshape(-1, 2)
    mapped = apply_homography(homography, grid)
    inside = (
        (mapped[:, 0] >= 0) & (mapped[:, 0] < page.width) & (mapped[:, 1] >= 0) & (mapped[:, 1] < page.height)
    )
    return bool(inside.mean() >= 0.5)


def screen(
    template: Features, page: Features, *, quick: bool = False, whole_page: bool = False
) -> tuple[int, CoarseMatch | None]:
    """Ratio-test matching and MAGSAC++: the number of good matches, and the coarse match or None.

    Args:
        template: the sample's features.
        page: the page's features.
        quick: match only the strongest keypoints of both (about a tenth of the work), to screen
            candidates.
        whole_page: with ``quick``, every keypoint of the page against the sample's strongest
            (about a third of a full match): a page whose strongest keypoints are mostly not
            the form's (a photo's background, shadows) can still be found.
    """
    prepared = _prepared(template)
    sample = prepared.quick if quick else prepared.features
    page_desc = page.descriptors[:_QUICK_PAGE] if quick and not whole_page else page.descriptors
    if len(sample.descriptors) < _MIN_MATCHES or len(page_desc) < _MIN_MATCHES:
        return 0, None
    good = _ratio_matches(page_desc, sample.descriptors)
    if len(good) < _MIN_MATCHES:
        return len(good), None
    src = sample.keypoints[[m.trainIdx for m in good]].astype(np.float64)
    dst = page.keypoints[[m.queryIdx for m in good]].astype(np.float64)
    src_w = (src + 0.5) * template.scale - 0.5
    dst_w = (dst + 0.5) * page.scale - 0.5
    return len(good), _fit(src_w, dst_w, template, page)


def glance(template: Features, page: Features) -> int:
    """Good matches (ratio test) between the strongest few keypoints of page and sample: no
    geometry, about a fifteenth of a screening. Ranks candidates, it decides nothing: forms
    of one language share captions and rules, so a copy's own template glances about twice as
    well as its neighbours, not always better."""
    sample = _prepared(template).glance
    page_desc = page.descriptors[:_GLANCE_PAGE]
    if len(sample) < 2 or len(page_desc) == 0:
        return 0
    return len(_ratio_matches(page_desc, sample))


def _ratio_matches(page_desc: NDArray[np.uint8], sample_desc: NDArray[np.uint8]) -> list[cv2.DMatch]:
    """Each page descriptor's nearest sample descriptor, where it passes Lowe's ratio test."""
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(page_desc, sample_desc, k=2)
    return [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]


def _fit(
    src_w: NDArray[np.float64], dst_w: NDArray[np.float64], template: Features, page: Features
) -> CoarseMatch | None:
    """MAGSAC++ on all matches and on a spatially balanced subset; the hypothesis covering more wins.

    Print-dense areas (a bold title) can hold most of the matches; a homography fitted to them
    alone may extrapolate badly. Capping matches per template cell gives the rest of the page a
    say; of the two hypotheses, the one whose inliers cover more cells is kept.
    """
    best: tuple[int, int, NDArray[np.float64]] | None = None  # (cells covered, inliers, homography)
    cells = _cells(src_w, template.gray.shape)
    for subset in (np.arange(len(src_w)), _balanced(cells)):
        if len(subset) < _MIN_MATCHES:
            continue
        found, _ = cv2.findHomography(
            src_w[subset],
            dst_w[subset],
            cv2.USAC_MAGSAC,
            _RANSAC_PX,
            maxIters=_RANSAC_ITERATIONS,
            confidence=0.999,
        )
        if found is None:
            continue
        homography = np.asarray(found, dtype=np.float64)
        inliers = np.linalg.norm(apply_homography(homography, src_w) - dst_w, axis=1) <= _RANSAC_PX
        candidate = (len(np.unique(cells[inliers])), int(inliers.sum()), homography)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or best[1] < _MIN_INLIERS:
        return None
    homography = _to_original(best[2], template, page)
    if not plausible(homography, template, page):
        return None
    return CoarseMatch(homography=homography, inliers=best[1], matches=len(src_w))


def _cells(points: NDArray[np.float64], shape: tuple[int, ...]) -> NDArray[np.int64]:
    """The coverage-grid cell of each template working point."""
    cell = max(shape[0], shape[1]) / _COVERAGE_GRID
    cols = int(np.ceil(shape[1] / cell)) + 1
    index = np.floor(points / cell).astype(np.int64)
    cells: NDArray[np.int64] = index[:, 1] * cols + index[:, 0]
    return cells


def _balanced(cells: NDArray[np.int64]) -> NDArray[np.int64]:
    """At most ``_PER_CELL`` matches of each cell (the first, i.e. the page's strongest keypoints)."""
    counts: dict[int, int] = {}
    keep: list[int] = []
    for i, cell in enumerate(cells.tolist()):
        if counts.get(cell, 0) < _PER_CELL:
            counts[cell] = counts.get(cell, 0) + 1
            keep.append(i)
    return np.asarray(keep, dtype=np.int64)


def coarse_match(template: Features, page: Features) -> CoarseMatch | None:
    """Ratio-test matching of all keypoints and MAGSAC++: template px -> page px, or None."""
    return screen(template, page)[1]


@dataclass(frozen=True)
class _Patches:
    centres: NDArray[np.float64]  # (K, 2) template working px, half-integers (patch centres)
    text: NDArray[np.bool_]  # (K,) the patch holds print other than ruled lines (labels, titles)


@dataclass(frozen=True)
class _Prepared:
    features: Features  # the sample's features plus those of a half-size copy
    quick: Features  # the strongest of both, for screening
    glance: NDArray[np.uint8]  # descriptors of the very strongest of both, for ``glance``
    patches: _Patches


_PREPARED: weakref.WeakKeyDictionary[Features, _Prepared] = weakref.WeakKeyDictionary()
_PREPARED_LOCK = threading.Lock()


def _prepared(template: Features) -> _Prepared:
    """What matching needs from a sample beyond its features, computed once per ``Features``."""
    with _PREPARED_LOCK:
        found = _PREPARED.get(template)
    if found is None:
        both = add_coarse_scale(template)
        split = len(template.keypoints)

        def strongest(count: int) -> NDArray[np.int64]:
            """The first ``count`` keypoints of the sample and a third as many of its half-size copy."""
            return np.asarray(
                np.r_[0 : min(split, count), split : min(len(both.keypoints), split + count // 3)]
            )

        keep = strongest(_QUICK_SAMPLE)
        quick = dataclasses.replace(both, keypoints=both.keypoints[keep], descriptors=both.descriptors[keep])
        glance = np.ascontiguousarray(both.descriptors[strongest(_GLANCE_SAMPLE)])
        found = _Prepared(features=both, quick=quick, glance=glance, patches=_select_patches(template))
        with _PREPARED_LOCK:
            _PREPARED[template] = found
    return found


def prepare_sample(template: Features) -> None:
    """Compute now (when a template is prepared) what matching needs from its sample beyond its
    features: the half-size keypoints, the screening subset, the refinement patches."""
    _prepared(template)


def _text_ink(gray: NDArray[np.uint8]) -> NDArray[np.float32]:
    """1.0 where the sample has dark print that is not part of a long ruled line."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 25)
    length = int(1.5 * _PATCH)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    text = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    return np.asarray(text, dtype=np.float32) / 255.0


def _spread(
    candidates: NDArray[np.int64], rank: NDArray[np.float64], cols: int, limit: int, taken: set[int]
) -> list[int]:
    """Greedy pick of the best-ranked grid candidates, none next to one already ``taken``."""
    chosen: list[int] = []
    for index in candidates[np.argsort(-rank[candidates], kind="stable")]:
        row, col = divmod(int(index), cols)
        if any((row + dr) * cols + col + dc in taken for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
            continue
        taken.add(int(index))
        chosen.append(int(index))
        if len(chosen) == limit:
            break
    return chosen


def _select_patches(template: Features) -> _Patches:
    """The sample's most structured patches, spread out: print first, then corners."""
    gray = template.gray.astype(np.float32)
    half = _PATCH // 2
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    box = (_PATCH, _PATCH)
    jxx, jyy, jxy = (cv2.blur(v, box) for v in (gx * gx, gy * gy, gx * gy))
    weakest = 0.5 * (jxx + jyy) - np.sqrt(0.25 * (jxx - jyy) ** 2 + jxy**2)
    text_share = cv2.blur(_text_ink(template.gray), box)
    # candidate centres on a half-patch grid, whole patch plus a margin inside the sample
    ys = np.arange(half + 2, gray.shape[0] - half - 2, half)
    xs = np.arange(half + 2, gray.shape[1] - half - 2, half)
    if len(xs) < 4 or len(ys) < 4:
        return _Patches(np.zeros((0, 2)), np.zeros(0, dtype=bool))
    rank = weakest[np.ix_(ys, xs)].astype(np.float64).ravel()
    share = text_share[np.ix_(ys, xs)].astype(np.float64).ravel()
    structured = rank > _STRUCTURE_FLOOR
    is_text = structured & (share >= _TEXT_SHARE)
    cols = len(xs)
    taken: set[int] = set()
    text_cells = _spread(np.flatnonzero(is_text), rank, cols, _MAX_TEXT_PATCHES, taken)
    other = np.flatnonzero(structured & ~is_text)
    other_cells = _spread(other, rank, cols, _MAX_PATCHES - len(text_cells), taken)
    chosen = np.array(sorted(text_cells + other_cells), dtype=np.int64)
    # a patch's top-left pixel is its centre less (_PATCH - 1) / 2: centres are half-integers
    centres = np.stack([xs[chosen % cols], ys[chosen // cols]], axis=1) - 0.5
    return _Patches(centres.reshape(-1, 2), is_text[chosen])


@dataclass(frozen=True)
class _PatchShifts:
    shifts: NDArray[np.float64]  # (K, 2) where each sample patch was found, relative to prediction
    peaks: NDArray[np.float64]  # (K,) NCC peak
    found: NDArray[np.bool_]  # (K,) the peak lies strictly inside the search window
    inside: NDArray[np.bool_]  # (K,) the patch's predicted position lies in the page


def _find_patches(
    template: Features,
    page: Features,
    working_h: NDArray[np.float64],
    centres: NDArray[np.float64],
    radius: int,
) -> _PatchShifts:
    """Search each sample patch in the page warped into the template frame."""
    pad = radius + _PATCH
    shift = np.array([[1.0, 0.0, -pad], [0.0, 1.0, -pad], [0.0, 0.0, 1.0]])
    th, tw = template.gray.shape
    to_page = working_h @ shift
    size = (tw + 2 * pad, th + 2 * pad)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(page.gray, to_page, size, flags=flags, borderValue=0)
    half = _PATCH // 2
    count = len(centres)
    shifts = np.zeros((count, 2))
    peaks = np.zeros(count)
    found = np.zeros(count, dtype=bool)
    predicted = apply_homography(working_h, centres)
    inside = (
        (predicted[:, 0] >= half)
        & (predicted[:, 1] >= half)
        & (predicted[:, 0] < page.gray.shape[1] - half)
        & (predicted[:, 1] < page.gray.shape[0] - half)
    )
    side = _PATCH + 2 * radius
    for k in np.flatnonzero(inside):
        x0 = int(round(centres[k, 0] - (_PATCH - 1) / 2))
        y0 = int(round(centres[k, 1] - (_PATCH - 1) / 2))
        patch = template.gray[y0 : y0 + _PATCH, x0 : x0 + _PATCH]
        wx, wy = x0 + pad - radius, y0 + pad - radius
        window = warped[wy : wy + side, wx : wx + side]
        result = cv2.matchTemplate(window, patch, cv2.TM_CCOEFF_NORMED)
        if not np.isfinite(result).all():  # a flat window (outside the page) divides by zero
            result = np.nan_to_num(result, nan=0.0, posinf=0.0, neginf=0.0)
        _, peak, _, (px, py) = cv2.minMaxLoc(result)
        peaks[k] = peak
        if 0 < px < 2 * radius and 0 < py < 2 * radius:
            row = result[py, px - 1 : px + 2].tolist()
            column = result[py - 1 : py + 2, px].tolist()
            shifts[k] = (px - radius + _subpixel(*row), py - radius + _subpixel(*column))
            found[k] = True
    return _PatchShifts(shifts=shifts, peaks=peaks, found=found, inside=inside)


def _subpixel(left: float, centre: float, right: float) -> float:
    denominator = left - 2.0 * centre + right
    if denominator >= 0:
        return 0.0
    return max(-0.5, min(0.5, 0.5 * (left - right) / denominator))


def _agreeing(
    found: _PatchShifts, correction: NDArray[np.float64], centres: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Patches whose found position the correction homography predicts within the fit threshold."""
    predicted = apply_homography(correction, centres)
    residual = np.linalg.norm(predicted - (centres + found.shifts), axis=1)
    agree: NDArray[np.bool_] = found.found & (found.peaks >= _NCC_MIN) & (residual <= _FIT_PX)
    return agree


def _residual(
    found: _PatchShifts,
    correction: NDArray[np.float64],
    centres: NDArray[np.float64],
    agree: NDArray[np.bool_],
) -> float:
    """RMS distance (working px) between the agreeing patches and the correction's prediction."""
    if not agree.any():
        return 0.0
    predicted = apply_homography(correction, centres[agree])
    squared = np.sum((predicted - (centres[agree] + found.shifts[agree])) ** 2, axis=1)
    return float(np.sqrt(squared.mean()))


def _cost(found: _PatchShifts, correction: NDArray[np.float64], centres: NDArray[np.float64]) -> float:
    """Truncated squared residual over the well-correlated patches (lower is a better fit)."""
    usable = found.found & (found.peaks >= _NCC_MIN)
    predicted = apply_homography(correction, centres[usable])
    squared = np.sum((predicted - (centres[usable] + found.shifts[usable])) ** 2, axis=1)
    return float(np.minimum(squared, _FIT_PX**2).sum())


def _fit_correction(found: _PatchShifts, centres: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """RANSAC, then least squares on its inliers: template frame -> where the page really is."""
    usable = found.found & (found.peaks >= _NCC_MIN)
    if usable.sum() < _MIN_AGREE:
        return None
    src, dst = centres[usable], centres[usable] + found.shifts[usable]
    found_h, _ = cv2.findHomography(src, dst, cv2.RANSAC, _FIT_PX, maxIters=1000, confidence=0.999)
    if found_h is None:
        return None
    correction = np.asarray(found_h, dtype=np.float64)
    agree = _agreeing(found, correction, centres)
    if agree.sum() < _MIN_AGREE:
        return None
    polished_h, _ = cv2.findHomography(centres[agree], centres[agree] + found.shifts[agree], 0)
    if polished_h is not None:
        polished = np.asarray(polished_h, dtype=np.float64)
        if _agreeing(found, polished, centres).sum() >= agree.sum():
            return polished
    return correction


@dataclass(frozen=True)
class Refinement:
    """A refined homography and how much of the sample's structure agrees with it."""

    homography: NDArray[np.float64]
    """``(3, 3)`` template px -> page px (original pixel coordinates)."""
    agreement: float
    """Share of the sample's structured patches (inside the page) found where it puts them."""
    text_agreement: float | None
    """The same share over the patches holding print other than ruled lines (None: too few)."""
    residual_px: float = 0.0
    """RMS distance (sample px) between the agreeing patches and where the homography puts them."""

    @property
    def score(self) -> float:
        """The print agreement, or the overall agreement for a sample with too little print."""
        return self.agreement if self.text_agreement is None else self.text_agreement


def refine(template: Features, page: Features, homography: NDArray[np.float64]) -> Refinement:
    """Refine a template px -> page px homography on structured sample patches.

    The refined homography replaces the given one only when it fits the patches better.
    """
    patches = _prepared(template).patches
    if len(patches.centres) < _MIN_AGREE:
        return Refinement(homography, 0.0, None)
    current = _to_working(homography, template, page)
    text = patches.text
    agree = np.zeros(len(patches.centres), dtype=bool)
    inside = np.zeros(len(patches.centres), dtype=bool)
    residual = 0.0
    for radius, stride in zip(_SEARCH, _STRIDE, strict=True):
        # the wide pass only has to find the correction: every other patch is plenty (and the
        # wide search is where the time goes); the narrow pass, which scores, takes them all
        if len(patches.centres) < stride * _WIDE_MIN:
            stride = 1
        centres = patches.centres[::stride]
        found = _find_patches(template, page, current, centres, radius)
        if found.inside.sum() < _MIN_AGREE:
            break
        inside, text = found.inside, patches.text[::stride]
        agree = _agreeing(found, np.eye(3), centres)
        residual = _residual(found, np.eye(3), centres, agree)
        correction = _fit_correction(found, centres)
        if correction is None or _cost(found, correction, centres) >= _cost(found, np.eye(3), centres):
            break
        candidate = current @ correction
        if not plausible(_to_original(candidate, template, page), template, page):
            break
        current = candidate / candidate[2, 2]
        agree = _agreeing(found, correction, centres)
        residual = _residual(found, correction, centres, agree)
    text_inside = int((inside & text).sum())
    return Refinement(
        residual_px=residual / template.scale,
        homography=_to_original(current, template, page),
        agreement=float(agree.sum() / max(1, inside.sum())),
        text_agreement=float((agree & text).sum() / text_inside) if text_inside >= _MIN_AGREE else None,
    )


def guided_match(template: Features, page: Features, homography: NDArray[np.float64]) -> CoarseMatch | None:
    """Re-match around a rough homography's predictions, without the ratio test, then MAGSAC++.

    Each page keypoint takes the most similar of its ``_GUIDED_K`` nearest sample descriptors
    that the homography predicts within ``_GUIDED_RADIUS`` of it. Forms repeat glyphs and box
    corners, which the global ratio test throws away; near the right place they are
    unambiguous, so a rough homography from few matches (a small, blurred page) gains many.
    """
    sample = _prepared(template).features
    if len(sample.descriptors) < _MIN_MATCHES or len(page.descriptors) < _MIN_MATCHES:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(page.descriptors, sample.descriptors, k=_GUIDED_K)
    flat = np.array([(m.queryIdx, m.trainIdx, m.distance) for p in pairs for m in p], dtype=np.float64)
    if len(flat) < _MIN_MATCHES:
        return None
    query, train = flat[:, 0].astype(np.int64), flat[:, 1].astype(np.int64)
    src_w = (sample.keypoints[train].astype(np.float64) + 0.5) * template.scale - 0.5
    dst_w = (page.keypoints[query].astype(np.float64) + 0.5) * page.scale - 0.5
    predicted = apply_homography(_to_working(homography, template, page), src_w)
    near = (np.linalg.norm(predicted - dst_w, axis=1) <= _GUIDED_RADIUS) & (flat[:, 2] <= _GUIDED_HAMMING)
    chosen = np.flatnonzero(near)  # knnMatch lists each page keypoint's neighbours best first
    _, first = np.unique(query[chosen], return_index=True)
    chosen = chosen[first]
    if len(chosen) < _MIN_MATCHES:
        return None
    return _fit(src_w[chosen], dst_w[chosen], template, page)


def improve(template: Features, page: Features, alignment: Alignment) -> Alignment:
    """Guided re-matching around an alignment, refined again; the better-scoring one is returned."""
    guided = guided_match(template, page, alignment.homography)
    if guided is None:
        return alignment
    again = refine(template, page, guided.homography)
    if again.score <= alignment.score:
        return alignment
    return Alignment(
        homography=again.homography,
        inliers=guided.inliers,
        inlier_ratio=guided.inliers / max(1, guided.matches),
        score=float(np.clip(again.score, 0.0, 1.0)),
        reprojection_error_px=again.residual_px,
    )


def complete(template: Features, page: Features, coarse: CoarseMatch, *, retry: bool = True) -> Alignment:
    """Refine a coarse match and score it: the ``Alignment`` that ``align`` returns.

    With ``retry``, a score below ``_RETRY_BELOW`` gets a second chance through ``improve``.
    """
    refined = refine(template, page, coarse.homography)
    alignment = Alignment(
        homography=refined.homography,
        inliers=coarse.inliers,
        inlier_ratio=coarse.inliers / max(1, coarse.matches),
        score=float(np.clip(refined.score, 0.0, 1.0)),
        reprojection_error_px=refined.residual_px,
    )
    if retry and alignment.score < _RETRY_BELOW:
        return improve(template, page, alignment)
    return alignment


def align_screened(
    template: Features, page: Features, screened: CoarseMatch | None, *, retry: bool = True
) -> Alignment | None:
    """Align from a screening match: refined directly when strong, else after matching everything.

    Args:
        template: the sample's features.
        page: the page's features.
        screened: the candidate's ``screen(..., quick=True)`` match, or None.
        retry: improve (``improve``) a result still below ``_RETRY_BELOW``.
    """
    found: Alignment | None = None
    if screened is not None and screened.inliers >= STRONG_SCREENING:
        found = complete(template, page, screened, retry=False)
        if found.score >= _RETRY_BELOW:
            return found
    full = coarse_match(template, page)
    if full is not None:
        alignment = complete(template, page, full, retry=False)
        if found is None or alignment.score > found.score:
            found = alignment
    if retry and found is not None and found.score < _RETRY_BELOW:
        found = improve(template, page, found)
    return found


def align(template: Features, page: Features) -> Alignment | None:
    """Find the homography mapping the template (sample) onto the page, or None.

    Args:
        template: the sample's features (``extract_features`` of the sample image).
        page: the page's features.

    Returns:
        The refined alignment with its score, or None when no plausible homography exists.
    """
    return align_screened(template, page, screen(template, page, quick=True)[1])
