"""Form dropout: separating what was filled in from what the blank form already printed.

Both crops are of the same template area at the same scale. The sample's ink is shifted by
the few pixels that best overlay the page's ink (alignment is never perfect), widened by a
pixel or two, and removed from the page's ink.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.models.page import Image

__all__ = [
    "Box",
    "Mask",
    "added_ink",
    "added_to",
    "box_around",
    "faint_seal",
    "ink_mask",
    "ink_pieces",
    "inside_share",
    "lines_on_a_rule",
    "mostly_inside",
    "paper_of",
    "printed_rules",
    "seal_ink",
    "seal_mask",
    "without_seal",
]

Mask = NDArray[np.bool_]


INK_DARKNESS = 0.62
"""A pixel is ink when it is darker than this share of the crop's paper brightness (and 45 levels
darker)."""


LOCAL_PAPER_WINDOW = 41
"""With ``local``, :func:`ink_mask` takes the paper's brightness as the brightest pixel within
this window (times the crop's scale): wider than any stroke and than a smudged word (25 px found
no paper inside a blurred value, took the smear for paper and the field for empty), narrower
than a shadow's edge."""


def ink_mask(image: Image, darkness: float = INK_DARKNESS, *, local: float = 0.0) -> Mask:
    """Dark strokes relative to the crop's own paper brightness (robust to uneven light).

    ``local`` (the crop's scale; 0: off) measures the paper around each pixel instead of over
    the whole crop: a photo's shadow across a field darkens the paper under it far below the
    lit part, and was taken for ink that joined the value to the label above (the value went
    with it). Never below half the crop's paper: a large dark patch is not paper."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    paper = float(np.percentile(gray, 90))
    if paper < 40:
        return np.zeros(gray.shape, dtype=bool)
    if local > 0:
        size = max(3, round(LOCAL_PAPER_WINDOW * local)) | 1
        around = cv2.dilate(gray, np.ones((size, size), np.uint8)).astype(np.float32)
        around = np.maximum(np.minimum(around, paper), paper / 2)
        return np.asarray(gray < np.minimum(around * darkness, around - 45.0))
    limit = min(paper * darkness, paper - 45.0)
    return np.asarray(gray < limit)


def _best_shift(page_ink: Mask, sample_ink: Mask, reach: int) -> tuple[int, int]:
    if not sample_ink.any() or not page_ink.any():
        return 0, 0
    best, best_score = (0, 0), -1
    padded = np.pad(sample_ink, reach)
    height, width = sample_ink.shape
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            shifted = padded[reach - dy : reach - dy + height, reach - dx : reach - dx + width]
            score = int(np.count_nonzero(shifted & page_ink))
            if score > best_score or (score == best_score and abs(dx) + abs(dy) < sum(map(abs, best))):
                best, best_score = (dx, dy), score
    return best


def added_ink(page_crop: Image, sample_crop: Image, *, scale: float = 1.0) -> Mask:
    """Ink on the page that the blank sample does not have at that place."""
    return added_to(ink_mask(page_crop), ink_mask(sample_crop), scale=scale)


def added_to(page_ink: Mask, sample_ink: Mask, *, scale: float = 1.0) -> Mask:
    """:func:`added_ink` from both ink masks (the sample's may be prepared once per template)."""
    if sample_ink.shape != page_ink.shape:
        sample_ink = cv2.resize(
            sample_ink.astype(np.uint8), page_ink.shape[::-1], interpolation=cv2.INTER_NEAREST
        ).astype(bool)
    reach = max(2, round(3 * scale))
    dx, dy = _best_shift(page_ink, sample_ink, reach)
    shifted = np.roll(np.roll(sample_ink, dy, axis=0), dx, axis=1)
    grow = max(1, round(1.5 * scale))
    kernel = np.ones((2 * grow + 1, 2 * grow + 1), dtype=np.uint8)
    widened = cv2.dilate(shifted.astype(np.uint8), kernel).astype(bool)
    added = page_ink & ~widened
    added = _feet_on_the_line(added, page_ink & widened & ~shifted, shifted, grow)
    return _through_the_line(added, page_ink, shifted, grow, scale)


CROSSING_DEPTH = 5.0
CROSSING_SPAN = 16.0
CROSSING_RARE = 0.12
"""A stroke that comes down onto a rule and out under it by at most ``CROSSING_DEPTH`` px (the
hook of a J, the loop of a g written across the box's bottom line), over at most
``CROSSING_SPAN`` px of the rule's length, at template scale: :func:`_through_the_line`. Only
where the rule's lower edge is straight elsewhere: on a rule whose edge juts out below it in
more than ``CROSSING_RARE`` of its columns (a faxed line's jagged edge, the ticks of a dashed
line printed under it) a hook is not told from the edge."""


def _runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The ``[start, end)`` runs of true in a row of flags."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _at(mask: Mask, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.bool_]:
    """``mask`` at ``(rows[i], cols[i])``; false where the row is off the mask."""
    out = np.zeros(len(cols), dtype=bool)
    inside = (rows >= 0) & (rows < mask.shape[0])
    out[inside] = mask[rows[inside], cols[inside]]
    return out


def _through_the_line(added: Mask, page_ink: Mask, sample: Mask, steps: int, scale: float) -> Mask:
    """``added`` with the strokes that cross a printed horizontal rule whole: where an added
    stroke comes down onto the rule and the page's ink comes out under the rule's lower edge,
    deeper than that edge lies elsewhere along the rule but only a little (a descender's hook
    that lies all in the rule and its widening, which dropout took for the rule), the page's
    ink there is the value's. Not where other added ink lies just under the hook: that is a
    neighbour's line touching the rule from below, which the rule keeps apart."""
    length = max(20, round(30 * scale))
    lines = cv2.morphologyEx(sample.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    if not lines.any() or not added.any():
        return added
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    deepest = max(2, round(CROSSING_DEPTH * scale))
    widest = max(4, round(CROSSING_SPAN * scale))
    out = added.copy()
    for line in range(1, count):
        left, width = int(stats[line, cv2.CC_STAT_LEFT]), int(stats[line, cv2.CC_STAT_WIDTH])
        mine = labels[:, left : left + width] == line
        cols = np.arange(left, left + width)[mine.any(axis=0)]
        mine = mine[:, cols - left]
        top = mine.argmax(axis=0)
        bottom = added.shape[0] - 1 - mine[::-1].argmax(axis=0)
        depth = np.zeros(len(cols), dtype=np.int32)
        going = np.ones(len(cols), dtype=bool)
        for k in range(1, deepest + 2):  # the page's ink straight under the rule, per column
            going &= _at(page_ink, bottom + k, cols)
            depth += going
        edge = float(np.median(depth))
        touched = _at(added, top - steps - 1, cols)
        deeper = (depth > edge) & (depth <= deepest)
        if np.count_nonzero(deeper) > CROSSING_RARE * len(cols):
            continue  # a ragged edge (a faxed or dashed line): no telling a hook from it
        for start, end in _runs(deeper):
            if not steps <= end - start <= widest:
                continue  # a speck on the edge, or more than a stroke's width
            flanks = (depth[max(0, start - widest) : start], depth[end : end + widest])
            if any(len(f) and depth[start:end].max() <= np.median(f) for f in flanks):
                continue  # the line's edge going down a step (a tilted line), not a hook
            near = slice(max(0, start - 2 * steps), min(len(cols), end + 2 * steps))
            if not touched[near].any():
                continue
            span = slice(max(0, start - steps), min(len(cols), end + steps))
            low = int(bottom[span].max() + depth[start:end].max())
            x0, x1 = int(cols[span][0]), int(cols[span][-1]) + 1
            around = slice(max(0, x0 - widest), x1 + widest)
            if out[int(bottom[span].min()) + 1 : low + 1 + 3 * steps, around].any():
                continue
            high = max(0, int(top[span].min()) - steps - 1)
            out[high : low + 1, x0:x1] |= page_ink[high : low + 1, x0:x1]
    return out


def _feet_on_the_line(added: Mask, margin: Mask, sample: Mask, steps: int) -> Mask:
    """``added`` grown into the page ink of ``margin`` (the band the sample's ink was widened
    by) next to a line, at most ``steps`` pixels, where a stroke comes down onto the line from
    above or up to it from below: the tail of a comma or the foot of a letter written on an
    underline keeps its shape (``St,`` is not ``St.``), a descender crossing it is cut by the
    line's own width only. Only short runs of the margin's ink are restored (a long run is the
    line's own blurred or misaligned edge), only up and down (a stroke crossing a box's side
    stays cut there) and only from strokes, not specks."""
    if not margin.any() or not added.any():
        return added
    run = 4 * steps + 1
    along = cv2.morphologyEx(margin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    allowed = margin & ~along.astype(bool)
    above = np.zeros_like(sample)
    below = np.zeros_like(sample)
    for k in range(1, steps + 1):
        above[:-k] |= sample[k:]
        below[k:] |= sample[:-k]
    above &= allowed
    below &= allowed
    if not (above.any() or below.any()):
        return added
    count, labels, stats, _ = cv2.connectedComponentsWithStats(added.astype(np.uint8), connectivity=8)
    strokes = stats[:, cv2.CC_STAT_AREA] >= STROKE_AREA * steps * steps
    strokes[0] = False
    grown = strokes[labels]
    for _ in range(steps):
        step = np.zeros_like(grown)
        step[1:] = grown[:-1] & above[1:]  # downwards onto the line
        step[:-1] |= grown[1:] & below[:-1]  # upwards onto it
        if not (step & ~grown).any():
            break
        grown |= step
    return np.asarray(added | grown)


STROKE_AREA = 2
"""A piece of added ink of at least this many pixels (times the widening squared) is a stroke
that may be grown back to a line; smaller ones are specks."""


PAPER_WINDOW = 9
"""The paper behind a stroke is the brightest pixel within this window (wider than strokes)."""


def paper_of(image: Image) -> Image:
    """The paper's colour at every pixel: the brightest nearby, so strokes vanish from it."""
    return np.asarray(cv2.dilate(image, np.ones((PAPER_WINDOW, PAPER_WINDOW), np.uint8)), dtype=np.uint8)


Box = tuple[int, int, int, int]
"""``left, top, right, bottom`` in mask pixels."""


def ink_pieces(added: Mask, join: tuple[int, int]) -> tuple[int, NDArray[np.int32], NDArray[np.int32]]:
    """The pieces of ``added``: strokes closer than ``join`` (across, down) pixels are one piece
    (the parts of a character, the letters of a word). Returns the count (with the background,
    label 0), each ink pixel's piece (0 elsewhere) and each piece's box statistics
    (``cv2.connectedComponentsWithStats``; of the joined piece)."""
    grown = added.astype(np.uint8)
    if max(join) > 1:
        grown = np.asarray(cv2.dilate(grown, np.ones((join[1], join[0]), np.uint8)), dtype=np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    return count, np.where(added, labels, 0).astype(np.int32), np.asarray(stats, dtype=np.int32)


def inside_share(
    labels: NDArray[np.int32], count: int, inner: Box
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per piece: its ink pixels inside ``inner``, and all of them."""
    left, top, right, bottom = inner
    inside = np.bincount(labels[top:bottom, left:right].ravel(), minlength=count)
    return inside, np.bincount(labels.ravel(), minlength=count)


def box_around(kept: Mask, inner: Box) -> Box:
    """The box that holds ``inner`` and every pixel of ``kept``."""
    if not kept.any():
        return inner
    rows, cols = np.flatnonzero(kept.any(axis=1)), np.flatnonzero(kept.any(axis=0))
    left, top, right, bottom = inner
    return (
        min(left, int(cols[0])),
        min(top, int(rows[0])),
        max(right, int(cols[-1]) + 1),
        max(bottom, int(rows[-1]) + 1),
    )


def mostly_inside(
    added: Mask, inner: Box, *, join: tuple[int, int] = (1, 1), rules: Mask | None = None
) -> tuple[Mask, Box]:
    """The ink of ``added`` that lies mostly inside ``inner``, whole, and the box that holds
    ``inner`` and it.

    Ink is judged in pieces (:func:`ink_pieces`). A piece with at least half of its ink inside
    is kept, all of it, so a value whose letters cross the area's edge is read whole, while a
    neighbour's text that reaches in is not read at all. ``rules`` (the printed lines the page
    had there) let a line of text that sits on a rule be told from a neighbour's line that
    touches the rule from the other side (:func:`lines_on_a_rule`).
    """
    count, labels, _ = ink_pieces(added, join)
    if count <= 1:
        return np.zeros_like(added), inner
    inside, total = inside_share(labels, count, inner)
    keep = np.asarray(2 * inside >= total, dtype=bool) & (total > 0)
    keep[0] = False
    kept = np.asarray(keep[labels], dtype=bool)
    if rules is not None and rules.any() and not keep[1:].all():
        kept |= lines_on_a_rule(added, labels, ~keep, inner, join, rules)
    return kept, box_around(kept, inner)


LINE_HEIGHT = 0.4
LINE_WIDTH = 1.0
LINE_INSIDE = 0.6
CROSSING = 0.8
"""A dropped piece (:func:`lines_on_a_rule`) that a printed rule splits holds a line of its own when
the part on one side of the rule is at least ``LINE_HEIGHT`` of the area high and ``LINE_WIDTH``
of the area's height wide, lies ``LINE_INSIDE`` inside, and its strokes do not run on across the
rule: under ``CROSSING`` of the columns where it meets the rule meet ink of the other side
there, give or take 2 px (a word written across the rule meets it with the same strokes on
both sides; a line that only sits on the rule and one that hangs under it, by chance, in 60-70%
of the columns)."""


def lines_on_a_rule(
    added: Mask,
    labels: NDArray[np.int32],
    dropped: NDArray[np.bool_],
    inner: Box,
    join: tuple[int, int],
    rules: Mask,
) -> Mask:
    """The parts of ``dropped`` pieces (``labels`` of ``added``) that are a line of text of their
    own inside ``inner``, cut from the rest of their piece by a rule: a value written on the
    area's bottom line, joined across it to the next field's value that touches the line from
    below (the two together lie mostly outside, or run far beyond the cut, and the value was
    lost)."""
    grown = added.astype(np.uint8)
    if max(join) > 1:
        grown = np.asarray(cv2.dilate(grown, np.ones((join[1], join[0]), np.uint8)), dtype=np.uint8)
    grown[rules] = 0
    count, parts, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    parts = np.where(added, parts, 0)
    rescued = np.zeros_like(added)
    if count <= 2:
        return rescued
    inside, total = inside_share(parts.astype(np.int32), count, inner)
    height = inner[3] - inner[1]
    for part in range(1, count):
        left, top, width, tall = (int(v) for v in stats[part, :4])
        if total[part] == 0 or tall < LINE_HEIGHT * height or width < LINE_WIDTH * height:
            continue
        if inside[part] < LINE_INSIDE * total[part]:
            continue
        mine = parts == part
        owners = labels[mine]
        owner = int(np.bincount(owners[owners > 0]).argmax()) if (owners > 0).any() else 0
        if owner == 0 or not dropped[owner]:
            continue
        rest = (labels == owner) & ~mine
        if not rest.any() or _crosses(mine, rest, rules, RULE_TOUCH):
            continue
        rescued |= mine
    return rescued


RULE_TOUCH = 4
"""Ink within this many pixels of a rule meets it (the rule's widening in dropout is 2 px)."""


def _crosses(mine: Mask, rest: Mask, rules: Mask, near: int) -> bool:
    """Whether the strokes of ``mine`` that meet ``rules`` go on into ``rest`` beyond it: most
    columns (give or take 2 px) where ``mine`` comes within ``near`` px of the rule are
    columns where ``rest`` does too."""
    kernel = np.ones((2 * near + 1, 1), np.uint8)
    by_rule = cv2.dilate(rules.astype(np.uint8), kernel).astype(bool)
    mine_cols = (mine & by_rule).any(axis=0)
    if not mine_cols.any():
        return False
    rest_row = (rest & by_rule).any(axis=0).astype(np.uint8)[None, :]
    rest_cols = cv2.dilate(rest_row, np.ones((1, 5), np.uint8))[0].astype(bool)
    met = np.count_nonzero(mine_cols & rest_cols)
    return bool(met >= CROSSING * np.count_nonzero(mine_cols))


def printed_rules(removed: Mask) -> Mask:
    """The long horizontal lines in ``removed`` (the page ink dropout took as the form's own):
    the box borders and underlines a value can sit on."""
    length = max(40, removed.shape[1] // 3)
    opened = cv2.morphologyEx(removed.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    return np.asarray(opened, dtype=bool)


SEAL_MARGIN = 60
"""A pixel is seal ink when its red exceeds both green and blue by this much (and is bright)."""

MIN_OTHER_INK = 0.25
"""A seal is dropped only when the other added ink is at least this share of all added ink: a
value written in red alone is kept."""


FAINT_SEAL_MARGIN = 25
FAINT_SEAL_RED = 150
"""A seal printed faintly (a photo's washed-out stamp) is pink rather than red: its red exceeds
green and blue by this much only, and it is light. Too light to be ink, it is still read as text
(a stamp's ``OK`` becomes ``Redwood LLC (ok)``) unless painted out."""


def seal_mask(image: Image, margin: int = SEAL_MARGIN, least_red: int = 110) -> Mask:
    """Red (seal, stamp-pad) ink: strongly red and not dark. Black or blue strokes under a seal
    stay dark where they cross it, so they are not part of the mask. ``margin`` and
    ``least_red`` lowered find a faint, pink seal too (:data:`FAINT_SEAL_MARGIN`)."""
    if image.ndim != 3:
        return np.zeros(image.shape[:2], dtype=bool)
    rgb = image.astype(np.int16)
    red, green, blue = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    return np.asarray((red - np.maximum(green, blue) > margin) & (red > least_red))


def faint_seal(image: Image, kept: Mask) -> Mask:
    """The pink pixels of a faint seal away from the value's strokes (``kept``, widened by
    2 px: a red value keeps its own soft edges)."""
    pink = seal_mask(image, FAINT_SEAL_MARGIN, FAINT_SEAL_RED)
    if not pink.any():
        return pink
    near = cv2.dilate(kept.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return np.asarray(pink & ~near)


def seal_ink(image: Image, added: Mask) -> Mask:
    """The pixels of a red seal pressed over a value (with its faint parts and pinkish rim), when
    the value itself is not red; else nothing. Dark pixels stay: a stroke crossing the seal."""
    red = seal_mask(image)
    seal = red & added
    if not seal.any():
        return np.zeros(added.shape, dtype=bool)
    other = int(np.count_nonzero(added & ~seal))
    if other < MIN_OTHER_INK * int(np.count_nonzero(added)):
        return np.zeros(added.shape, dtype=bool)
    # the seal's anti-aliased rim is pinkish rather than red: a pixel around it goes too, unless
    # it is dark (a stroke of the value crossing the seal)
    rim = cv2.dilate(red.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~_dark(image)
    return np.asarray(red | rim)


def without_seal(image: Image, added: Mask) -> Image:
    """``image`` with a red seal pressed over a value painted out (paper white), when the value
    itself is not red; else ``image`` as it is."""
    seal = seal_ink(image, added)
    if not seal.any():
        return image
    cleaned = image.copy()
    cleaned[seal] = 255
    return cleaned


def _dark(image: Image) -> Mask:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    return np.asarray(gray < 110)
