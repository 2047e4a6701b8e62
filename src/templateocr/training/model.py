"""The recognizer: a compact CRNN (convolutions, a bidirectional LSTM, CTC over the charset).

Input ``(n, 1, 32, width)`` with ``width`` a multiple of 4; output ``(n, width / 4, classes)``
log-probabilities, class 0 the CTC blank. About 2 M parameters; ~100 M multiply-adds for a
line 256 pixels wide.
"""

from __future__ import annotations

import torch
from torch import nn

from templateocr.engines.jamo import SYLLABLES
from templateocr.training.charset import tokens

__all__ = ["Crnn", "ModelConfig"]


class ModelConfig:
    """Widths of the network (kept with each checkpoint so a run resumes the same model)."""

    def __init__(
        self,
        channels: tuple[int, ...] = (24, 48, 96, 128, 160),
        hidden: int = 128,
        alphabet: str = SYLLABLES,
    ) -> None:
        """Channels of the convolution stages, the LSTM's hidden size per direction, and the
        alphabet of its classes (:func:`~templateocr.training.charset.tokens`)."""
        self.channels = tuple(channels)
        self.hidden = hidden
        self.alphabet = alphabet
        self.classes = len(tokens(alphabet)) + 1

    def as_dict(self) -> dict[str, object]:
        """For the checkpoint."""
        return {
            "channels": list(self.channels),
            "hidden": self.hidden,
            "classes": self.classes,
            "alphabet": self.alphabet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ModelConfig:
        """Back from :meth:`as_dict`."""
        channels = data["channels"]
        hidden = data["hidden"]
        alphabet = data.get("alphabet", SYLLABLES)  # checkpoints of the first model have none
        assert isinstance(channels, list) and isinstance(hidden, int) and isinstance(alphabet, str)
        return cls(tuple(int(c) for c in channels), hidden, alphabet)


def _conv(
    cin: int, cout: int, kernel: tuple[int, int] = (3, 3), padding: tuple[int, int] = (1, 1)
) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Crnn(nn.Module):
    """Convolutions bring 32 rows down to 1 and the width down by 4; an LSTM reads the frames."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        """Build the network for ``config`` (the default widths when ``None``)."""
        super().__init__()
        self.config = config or ModelConfig()
        c1, c2, c3, c4, c5 = self.config.channels
        self.features = nn.Sequential(
            _conv(1, c1),
            nn.MaxPool2d(2, 2),  # 16 x W/2
            _conv(c1, c2),
            nn.MaxPool2d(2, 2),  # 8 x W/4
            _conv(c2, c3),
            _conv(c3, c3),
            nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/4
            _conv(c3, c4),
            _conv(c4, c4),
            nn.MaxPool2d((2, 1), (2, 1)),  # 2 x W/4
            _conv(c4, c5, kernel=(2, 3), padding=(0, 1)),  # 1 x W/4
            nn.Dropout(0.1),
        )
        self.rnn = nn.LSTM(c5, self.config.hidden, num_layers=1, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * self.config.hidden, self.config.classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(n, 1, 32, w)`` images -> ``(n, w / 4, classes)`` log-probabilities."""
        features = self.features(images).squeeze(2).permute(0, 2, 1)  # n, T, c5
        frames, _ = self.rnn(features)
        return torch.log_softmax(self.head(frames), dim=-1)
