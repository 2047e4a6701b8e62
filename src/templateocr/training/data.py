"""Batches for PyTorch: lines from :class:`~templateocr.training.samples.SampleStream`, grouped
by width so that little of a batch is padding."""

from __future__ import annotations

import random
from collections.abc import Iterator

import torch
from torch.utils.data import IterableDataset, get_worker_info

from templateocr.engines.crnn_input import STRIDE, pad_lines
from templateocr.engines.jamo import SYLLABLES
from templateocr.training.charset import encode
from templateocr.training.samples import Sample, SampleStream

__all__ = ["Batch", "LineBatches", "collate"]

Batch = dict[str, torch.Tensor]

_GROUP = 8
"""Batches drawn together and sorted by width."""


def collate(samples: list[Sample], alphabet: str = SYLLABLES) -> Batch:
    """Images ``(n, 1, 32, w)``, frames per line, concatenated targets (the texts spelled in
    ``alphabet``) and target lengths."""
    images, widths = pad_lines([s.image for s in samples])
    labels = [encode(s.text, alphabet) for s in samples]
    return {
        "images": torch.from_numpy(images),
        "frames": torch.from_numpy(widths // STRIDE),
        "targets": torch.tensor([t for label in labels for t in label], dtype=torch.long),
        "target_lengths": torch.tensor([len(label) for label in labels], dtype=torch.long),
    }


class LineBatches(IterableDataset[Batch]):
    """Endless batches; worker ``k`` of a run resumed at ``start`` draws from its own seed."""

    def __init__(
        self, seed: int, batch_size: int, start: int = 0, alphabet: str = SYLLABLES, *, distort: bool = False
    ) -> None:
        """Batches of ``batch_size`` lines for ``seed``, the stream offset by the resumed step,
        labelled in ``alphabet``; ``distort``: bend some lines (see
        :class:`~templateocr.training.samples.SampleStream`)."""
        super().__init__()
        self.seed = seed
        self.batch_size = batch_size
        self.start = start
        self.alphabet = alphabet
        self.distort = distort

    def __iter__(self) -> Iterator[Batch]:
        """Groups of batches, each group sorted by line width, then shuffled."""
        info = get_worker_info()
        worker = info.id if info is not None else 0
        stream_seed = (self.seed * 1_000_003 + self.start * 101 + worker) % (2**31)
        lines = iter(SampleStream(stream_seed, distort=self.distort))
        shuffle = random.Random(stream_seed)
        while True:
            group = sorted(
                (next(lines) for _ in range(self.batch_size * _GROUP)), key=lambda s: s.image.shape[1]
            )
            batches = [group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size)]
            shuffle.shuffle(batches)
            for batch in batches:
                yield collate(batch, self.alphabet)
