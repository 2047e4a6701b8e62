"""A checkpoint to the ONNX model the server ships: dynamic batch and width, the charset and
the training facts in the model's metadata."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import onnx
import torch

from templateocr.engines.crnn_input import HEIGHT
from templateocr.training.charset import tokens
from templateocr.training.model import Crnn, ModelConfig
from templateocr.training.train import load_checkpoint

__all__ = ["export_onnx"]


class _Probabilities(torch.nn.Module):
    """The network as shipped: log-probabilities per frame."""

    def __init__(self, model: Crnn) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(images)
        return out


def _export(model: Crnn, example: torch.Tensor, out: Path) -> None:
    torch.onnx.export(
        _Probabilities(model),
        (example,),
        str(out),
        input_names=["images"],
        output_names=["log_probs"],
        dynamic_axes={"images": {0: "batch", 3: "width"}, "log_probs": {0: "batch", 1: "frames"}},
        opset_version=17,
        dynamo=False,
    )


def export_onnx(checkpoint: Path, out: Path, *, extra: dict[str, str] | None = None) -> Path:
    """Write ``out`` from ``checkpoint``; returns ``out``."""
    state = load_checkpoint(checkpoint)
    model = Crnn(ModelConfig.from_dict(state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    example = torch.full((1, 1, HEIGHT, 128), 1.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated but exports the LSTM with a dynamic width
        # reliably; its tracer warns about the LSTM's shape checks, which hold for any width, and
        # a batch of several lines is padded to one width, so the batch caveat does not apply.
        warnings.simplefilter("ignore")
        _export(model, example, out)
    proto = onnx.load(str(out))
    config = model.config
    metadata = {
        "charset": tokens(config.alphabet),
        "alphabet": config.alphabet,
        "step": str(state["step"]),
        "config": json.dumps(config.as_dict()),
    }
    metadata.update(extra or {})
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(out))
    return out
