"""Labelled training lines drawn from a seed: a text, a font that can write it, the rendering.

Kept free of PyTorch so that the evaluation and the tests can draw the same lines.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.crnn_input import MAX_WIDTH
from templateocr.engines.lines import is_hangul
from templateocr.training.charset import normalize_text
from templateocr.training.fonts import Split, Style, TrainFont, covered, fonts_for
from templateocr.training.render import render_line
from templateocr.training.texts import TextSampler

__all__ = ["HAND_SHARE", "Sample", "SampleStream", "pick_font"]

HAND_SHARE = 0.5
"""Share of lines written with handwriting-style fonts."""


@dataclass(frozen=True)
class Sample:
    """One line: model input ``(32, width)``, its text (labelled in a model's alphabet by
    :func:`~templateocr.training.data.collate`), font and kind of text."""

    image: NDArray[np.float32]
    text: str
    font: TrainFont
    kind: str


def pick_font(
    text: str, fonts: Sequence[TrainFont], rng: random.Random, hand_share: float = HAND_SHARE
) -> TrainFont | None:
    """A font of ``fonts`` that writes every character of ``text``, handwriting-style with
    probability ``hand_share`` (when one can); Latin text prefers Latin fonts."""
    needed = set(text)
    style = Style.HAND if rng.random() < hand_share else Style.PRINT
    has_hangul = any(is_hangul(c) for c in text)
    pool = [f for f in fonts if f.style is style and needed <= covered(f)]
    if not pool:
        pool = [f for f in fonts if needed <= covered(f)]
    if not pool:
        return None
    if not has_hangul and rng.random() < 0.7:
        latin = [f for f in pool if not f.hangul]
        pool = latin or pool
    return rng.choice(pool)


class SampleStream:
    """An endless, reproducible stream of rendered lines for one split of the fonts."""

    def __init__(
        self,
        seed: int,
        split: Split = Split.TRAIN,
        *,
        degrade_share: float = 0.85,
        hand_share: float = HAND_SHARE,
        fonts: Sequence[TrainFont] | None = None,
        distort: bool = False,
    ) -> None:
        """Lines for ``seed``, from the fonts of ``split`` (or the given ``fonts``); ``distort``:
        bend some lines' strokes (see :func:`~templateocr.training.render.render_line`)."""
        self.seed = seed
        self.fonts = list(fonts) if fonts is not None else fonts_for(split)
        self.texts = TextSampler(seed)
        self.rng = random.Random(seed * 7919 + 1)
        self.degrade_share = degrade_share
        self.hand_share = hand_share
        self.distort = distort
        self.count = 0

    def __iter__(self) -> Iterator[Sample]:
        """Lines, forever."""
        while True:
            sample = self.next()
            if sample is not None:
                yield sample

    def next(self, kind: str | None = None) -> Sample | None:
        """The next line (``None`` when this draw could not be rendered: draw again)."""
        self.count += 1
        if kind is None:
            kind, text = self.texts.sample()
        else:
            text = self.texts.of_kind(kind)
        text = normalize_text(text)
        font = pick_font(text, self.fonts, self.rng, self.hand_share)
        if font is None or not text:
            return None
        seed = self.rng.randrange(2**31)
        degrade = self.rng.random() < self.degrade_share
        rendered = render_line(text, font, seed, degrade=degrade, distort=self.distort)
        if rendered is None or rendered.image_width >= MAX_WIDTH:
            return None
        return Sample(rendered.line, text, font, kind)
