"""Batches for PyTorch: lines from :class:`~templateocr.training.samples.SampleStream`, grouped
by width so that little of a batch is padding."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from templateocr.engines.crnn_input import STRIDE, pad_lines
from templateocr.training.samples import Sample, SampleStream

__all__ = ["Batch", "LineBatches", "collate"]

Batch = dict[str, torch.Tensor]

_GROUP = 8
"""Batches drawn together and sorted by width."""


def collate(samples: list[Sample]) -> Batch:
    """Images ``(n, 1, 32, w)``, frames per line, concatenated targets and target lengths."""
    images, widths = pad_lines([s.image for s in samples])
    targets = [t for s in samples for t in s.labels]
    return {
        "images": torch.from_numpy(images),
        "frames": torch.from_numpy(widths // STRIDE),
        "targets": torch.tensor(targets, dtype=torch.long),
        "target_lengths": torch.tensor([len(s.labels) for s in samples], dtype=torch.long),
    }


class LineBatches(IterableDataset[Batch]):
    """Endless batches; worker ``k`` of a run resumed at ``start`` draws from its own seed."""

    def __init__(self, seed: int, batch_size: int, start: int = 0) -> None:
        """Batches of ``batch_size`` lines for ``seed``, the stream offset by the resumed step."""
        super().__init__()
        self.seed = seed
        self.batch_size = batch_size
        self.start = start

    def __iter__(self) -> Iterator[Batch]:
        """Groups of batches, each group sorted by line width, then shuffled."""
        info = get_worker_info()
        worker = info.id if info is not None else 0
        stream_seed = (self.seed * 1_000_003 + self.start * 101 + worker) % (2**31)
        lines = iter(SampleStream(stream_seed))
        shuffle = random.Random(stream_seed)
        while True:
            group = sorted(
                (next(lines) for _ in range(self.batch_size * _GROUP)), key=lambda s: s.image.shape[1]
            )
            batches = [group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size)]
            shuffle.shuffle(batches)
            for batch in batches:
                yield collate(batch)


def frames_ok(batch: Batch) -> bool:
    """Whether every line has frames enough for its label (CTC needs at least one per char)."""
    return bool(np.all(batch["frames"].numpy() >= batch["target_lengths"].numpy()))
