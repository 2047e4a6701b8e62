"""A training checkpoint back from the shipped ONNX model, so that training can go on from the
model in the repo when its run directory (which is not committed) is gone.

The export folds each batch normalisation into the convolution before it (weights ``W'``, bias
``b'``). Rebuilt, the convolution takes ``W'`` and its normalisation is re-inflated from the
statistics of a few training batches: running mean ``mu`` and variance ``s^2`` of the
convolution's output ``z``, scale ``sqrt(s^2 + eps)`` and shift ``b' + mu``. In evaluation the
network computes exactly what the ONNX model does (``z + b'``); in training, where batch
statistics stand in for the running ones, nearly so, and the normalisation goes on learning.
The optimizer starts afresh: :func:`~templateocr.training.train.train` warms its rate up again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from templateocr.training.charset import tokens
from templateocr.training.data import LineBatches
from templateocr.training.model import Crnn, ModelConfig

__all__ = ["checkpoint_from_onnx", "model_from_onnx"]

_ONNX_TO_TORCH_GATES = (0, 2, 3, 1)
"""ONNX orders an LSTM's gates input, output, forget, cell; PyTorch input, forget, cell, output."""


def _gates(weights: np.ndarray, hidden: int) -> torch.Tensor:
    blocks = [weights[k * hidden : (k + 1) * hidden] for k in _ONNX_TO_TORCH_GATES]
    return torch.from_numpy(np.ascontiguousarray(np.concatenate(blocks, axis=0)))


def _initializers(proto: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {init.name: numpy_helper.to_array(init) for init in proto.graph.initializer}


def _conv_norms(model: Crnn) -> list[tuple[torch.nn.Conv2d, torch.nn.BatchNorm2d]]:
    """Each convolution of the network with the normalisation after it, in order."""
    modules = list(model.features.modules())
    return [
        (conv, norm)
        for conv, norm in zip(modules, modules[1:], strict=False)
        if isinstance(conv, torch.nn.Conv2d) and isinstance(norm, torch.nn.BatchNorm2d)
    ]


def _running(norm: torch.nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """A normalisation's running mean and variance (it always tracks them here)."""
    assert norm.running_mean is not None and norm.running_var is not None
    return norm.running_mean, norm.running_var


def model_from_onnx(path: Path) -> tuple[Crnn, int]:
    """The network in ``path`` with identity normalisations (exact in evaluation) and its step."""
    proto = onnx.load(str(path))
    metadata = {p.key: p.value for p in proto.metadata_props}
    config = ModelConfig.from_dict(json.loads(metadata["config"]))
    if metadata.get("charset") != tokens(config.alphabet):
        raise ValueError(f"{path}: its charset is not this version's; train from scratch instead")
    model = Crnn(config)
    values = _initializers(proto)
    convs = [n for n in proto.graph.node if n.op_type == "Conv"]
    pairs = _conv_norms(model)
    if len(convs) != len(pairs):
        raise ValueError(f"{path}: {len(convs)} convolutions, the network has {len(pairs)}")
    with torch.no_grad():
        for node, (conv, norm) in zip(convs, pairs, strict=True):
            weight, bias = values[node.input[1]], values[node.input[2]]
            conv.weight.copy_(torch.from_numpy(weight.copy()))
            norm.weight.fill_(1.0)
            norm.bias.copy_(torch.from_numpy(bias.copy()))
            mean, variance = _running(norm)
            mean.zero_()
            variance.fill_(1.0 - norm.eps)
        lstm = next(n for n in proto.graph.node if n.op_type == "LSTM")
        w, r, b = (values[name] for name in lstm.input[1:4])
        hidden = config.hidden
        for direction, suffix in enumerate(("", "_reverse")):
            getattr(model.rnn, f"weight_ih_l0{suffix}").copy_(_gates(w[direction], hidden))
            getattr(model.rnn, f"weight_hh_l0{suffix}").copy_(_gates(r[direction], hidden))
            getattr(model.rnn, f"bias_ih_l0{suffix}").copy_(_gates(b[direction][: 4 * hidden], hidden))
            getattr(model.rnn, f"bias_hh_l0{suffix}").copy_(_gates(b[direction][4 * hidden :], hidden))
        matmul = next(n for n in proto.graph.node if n.op_type == "MatMul")
        model.head.weight.copy_(torch.from_numpy(values[matmul.input[1]].T.copy()))
        add = next(n for n in proto.graph.node if n.op_type == "Add" and matmul.output[0] in n.input)
        head_bias = next(name for name in add.input if name in values)
        model.head.bias.copy_(torch.from_numpy(values[head_bias].copy()))
    return model, int(metadata.get("step", "0"))


def _reinflate(model: Crnn, seed: int, batches: int) -> None:
    """Give each normalisation the statistics of its convolution's output on training lines."""
    pairs = _conv_norms(model)
    sums: dict[int, list[torch.Tensor]] = {i: [] for i in range(len(pairs))}

    def _hook(index: int) -> Callable[[torch.nn.Module, object, torch.Tensor], None]:
        def record(module: torch.nn.Module, inputs: object, output: torch.Tensor) -> None:
            flat = output.detach().transpose(0, 1).reshape(output.shape[1], -1)
            sums[index].append(torch.stack([flat.mean(1), (flat * flat).mean(1)]))

        return record

    handles = [conv.register_forward_hook(_hook(i)) for i, (conv, _) in enumerate(pairs)]
    model.eval()
    stream = iter(LineBatches(seed + 7, 32))
    with torch.no_grad():
        for _ in range(batches):
            model(next(stream)["images"])
    for handle in handles:
        handle.remove()
    with torch.no_grad():
        for i, (_, norm) in enumerate(pairs):
            moments = torch.stack(sums[i]).mean(0)
            mean, variance = moments[0], (moments[1] - moments[0] ** 2).clamp_min(1e-6)
            shift = norm.bias.clone()
            running_mean, running_var = _running(norm)
            running_mean.copy_(mean)
            running_var.copy_(variance)
            norm.weight.copy_(torch.sqrt(variance + norm.eps))
            norm.bias.copy_(shift + mean)


def checkpoint_from_onnx(model_path: Path, checkpoint: Path, *, seed: int = 1, batches: int = 8) -> int:
    """Write ``checkpoint`` (a run's ``last.pt``) from ``model_path``; returns the model's step."""
    model, step = model_from_onnx(model_path)
    _reinflate(model, seed, batches)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    tmp = checkpoint.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": None,
            "step": step,
            "config": model.config.as_dict(),
            "seed": seed,
        },
        tmp,
    )
    tmp.replace(checkpoint)
    return step
