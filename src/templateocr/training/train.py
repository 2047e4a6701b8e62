"""The training loop: AdamW with warm-up and cosine decay, CTC loss, progress with ETA,
checkpoints (atomic, every few minutes and on Ctrl-C), resume from the last checkpoint."""

from __future__ import annotations

import math
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import torch
from torch.utils.data import DataLoader

from templateocr.engines.ctc import greedy_decode
from templateocr.text_metrics import cer
from templateocr.training.charset import decode_labels
from templateocr.training.data import Batch, LineBatches, collate
from templateocr.training.model import Crnn, ModelConfig
from templateocr.training.samples import SampleStream

__all__ = ["TrainConfig", "cer", "load_checkpoint", "train"]

CHECKPOINT = "last.pt"


@dataclass
class TrainConfig:
    """What a run does; stored in its checkpoint (a resumed run keeps the model's widths)."""

    run_dir: Path
    steps: int = 60_000
    batch_size: int = 32
    lr: float = 2e-3
    warmup: int = 500
    seed: int = 1
    threads: int = 2
    workers: int = 1
    log_every: int = 50
    eval_every: int = 2_000
    save_every_s: float = 300.0
    max_minutes: float | None = None
    validation_lines: int = 256
    distort: bool = False
    """Bend the strokes of most handwriting-style lines (see
    :func:`~templateocr.training.render.render_line`): each font becomes many hands."""
    init_from: Path | None = None
    """A new run (none in ``run_dir`` yet) starts from this checkpoint's weights where they fit
    the new model: a model of another alphabet keeps the convolutions and the LSTM and learns
    its head afresh."""


def _lr(step: int, config: TrainConfig, fresh_from: int | None = None) -> float:
    """Warm-up then cosine decay; an optimizer started afresh at ``fresh_from`` (a run rebuilt
    from the shipped model, which keeps no optimizer state) warms up again from there."""
    if fresh_from is not None and step - fresh_from < config.warmup:
        return _lr(step, config) * (step - fresh_from + 1) / config.warmup
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = min(1.0, (step - config.warmup) / max(1, config.steps - config.warmup))
    return config.lr * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * progress)))


def _quiet_worker(worker_id: int) -> None:
    """Rendering workers leave Ctrl-C and SIGTERM to the trainer, which saves and stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint written by :func:`train`."""
    data: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return data


def _save(
    path: Path, model: Crnn, optimizer: torch.optim.Optimizer, step: int, extra: dict[str, Any]
) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "config": model.config.as_dict(),
            **extra,
        },
        tmp,
    )
    tmp.replace(path)


def _validation_set(seed: int, count: int, alphabet: str) -> list[Batch]:
    stream = SampleStream(seed + 99_991)
    samples = [s for s in (stream.next() for _ in range(count * 2)) if s is not None][:count]
    samples.sort(key=lambda s: s.image.shape[1])
    return [collate(samples[i : i + 32], alphabet) for i in range(0, len(samples), 32)]


def _warm_start(model: Crnn, checkpoint: Path) -> list[str]:
    """Copy the weights of ``checkpoint`` that fit ``model``; the names of those that did not."""
    weights = load_checkpoint(checkpoint)["model"]
    own = model.state_dict()
    fitting = {k: v for k, v in weights.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(fitting, strict=False)
    return sorted(k for k in own if k not in fitting)


def evaluate_batches(model: Crnn, batches: list[Batch]) -> tuple[float, float]:
    """Exact line match and mean CER of ``model`` on labelled batches."""
    model.eval()
    exact, errors, total = 0, 0.0, 0
    alphabet = model.config.alphabet
    with torch.no_grad():
        for batch in batches:
            out = model(batch["images"]).numpy()
            lengths = batch["target_lengths"].tolist()
            targets = batch["targets"].tolist()
            offset = 0
            for i, length in enumerate(lengths):
                truth = decode_labels(targets[offset : offset + length], alphabet)
                offset += length
                read = decode_labels(greedy_decode(out[i], int(batch["frames"][i])).ids, alphabet)
                exact += read == truth
                errors += cer(truth, read)
                total += 1
    model.train()
    return exact / max(1, total), errors / max(1, total)


def train(config: TrainConfig, model_config: ModelConfig | None = None) -> Path:
    """Train (or resume) the run in ``config.run_dir``; returns the checkpoint's path."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    config.run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = config.run_dir / CHECKPOINT
    step = 0
    fresh_from: int | None = None
    state: dict[str, Any] | None = None
    if checkpoint.is_file():
        state = load_checkpoint(checkpoint)
        model_config = ModelConfig.from_dict(state["config"])
        step = int(state["step"])
    model = Crnn(model_config)
    if state is None and config.init_from is not None:
        fresh = _warm_start(model, config.init_from)
        print(f"started from {config.init_from}; learnt afresh: {', '.join(fresh) or 'nothing'}", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=1e-4)
    if state is not None:
        model.load_state_dict(state["model"])
        if state.get("optimizer") is not None:
            optimizer.load_state_dict(state["optimizer"])
        else:
            fresh_from = step
        print(
            f"resumed {checkpoint} at step {step}" + (" (optimizer afresh)" if fresh_from else ""), flush=True
        )
    params = sum(p.numel() for p in model.parameters())
    print(
        f"model: {params / 1e6:.2f} M parameters, {model.config.alphabet} alphabet; "
        f"training to step {config.steps}",
        flush=True,
    )
    loader = DataLoader(
        LineBatches(config.seed, config.batch_size, step, model.config.alphabet, distort=config.distort),
        batch_size=None,
        num_workers=config.workers,
        prefetch_factor=4 if config.workers else None,
        persistent_workers=False,
        worker_init_fn=_quiet_worker,
    )
    validation = _validation_set(config.seed, config.validation_lines, model.config.alphabet)
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    stop = {"now": False}

    def _interrupt(signum: int, frame: FrameType | None) -> None:
        stop["now"] = True

    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    started = last_save = time.monotonic()
    start_step, loss_avg, lines = step, None, 0
    model.train()
    try:
        for batch in loader:
            if step >= config.steps or stop["now"]:
                break
            if config.max_minutes is not None and time.monotonic() - started > config.max_minutes * 60:
                break
            for group in optimizer.param_groups:
                group["lr"] = _lr(step, config, fresh_from)
            log_probs = model(batch["images"])
            loss = ctc(log_probs.permute(1, 0, 2), batch["targets"], batch["frames"], batch["target_lengths"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            step += 1
            lines += len(batch["target_lengths"])
            value = float(loss.item())
            loss_avg = value if loss_avg is None else 0.98 * loss_avg + 0.02 * value
            if step % config.log_every == 0:
                elapsed = time.monotonic() - started
                rate = (step - start_step) / elapsed
                eta = (config.steps - step) / rate if rate else float("inf")
                rate_now = _lr(step, config, fresh_from)
                print(
                    f"step {step}/{config.steps}  loss {loss_avg:.3f}  lr {rate_now:.2e}  "
                    f"{lines / elapsed:.0f} lines/s  elapsed {elapsed / 60:.1f} min  ETA {eta / 3600:.2f} h",
                    flush=True,
                )
            if step % config.eval_every == 0:
                exact, mean_cer = evaluate_batches(model, validation)
                print(
                    f"validation (training fonts) at step {step}: exact {exact:.3f}  CER {mean_cer:.4f}",
                    flush=True,
                )
            if time.monotonic() - last_save > config.save_every_s:
                _save(checkpoint, model, optimizer, step, {"seed": config.seed})
                last_save = time.monotonic()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _save(checkpoint, model, optimizer, step, {"seed": config.seed})
        print(f"saved {checkpoint} at step {step}", flush=True)
    exact, mean_cer = evaluate_batches(model, validation)
    print(f"validation (training fonts) at step {step}: exact {exact:.3f}  CER {mean_cer:.4f}", flush=True)
    sys.stdout.flush()
    return checkpoint
