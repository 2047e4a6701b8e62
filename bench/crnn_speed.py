"""How long our recognizer takes per field crop: the shipped pair of models read one after the
other on one thread (the server's default, where parallelism comes from pages), and at once on
two (a thread each), against the first model alone measured in the same run::

    python bench/crnn_speed.py                # ~1 minute on 2 cores

Crops are the evaluation's held-out fonts, degraded (``templateocr.training.evaluate``), read
through ``CrnnEngine.read`` (line finding, both models, the choice between their readings, word
boxes); the best of three passes over 60 crops per set. Speeds are reported as ratios to the
single model, since these machines are noisy; milliseconds only to show scale.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from templateocr.engines.base import ReadOptions
from templateocr.engines.crnn import CrnnEngine
from templateocr.engines.crnn_model import MODEL_PATH, SHIPPED_MODELS
from templateocr.training.evaluate import SETS, sample_lines
from templateocr.training.fonts import Split


def _ms_per_crop(engine: CrnnEngine, crops: list[np.ndarray], passes: int) -> float:
    engine.read(crops[0], ReadOptions())
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        for crop in crops:
            engine.read(crop, ReadOptions())
        best = min(best, (time.perf_counter() - started) / len(crops))
    return 1000 * best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("::")[0])
    parser.add_argument("--crops", type=int, default=60, help="crops per set")
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args(argv)
    engines = {
        "one model, 1 thread": CrnnEngine([(MODEL_PATH, 1.0)], threads=1),
        "pair, 1 thread": CrnnEngine(SHIPPED_MODELS, threads=1),
        "pair, 2 threads": CrnnEngine(SHIPPED_MODELS, threads=2),
    }
    print("| set | " + " | ".join(f"{name} ms" for name in engines) + " | pair 1t / one | pair 2t / one |")
    print("|---" * (len(engines) + 3) + "|")
    for index, spec in enumerate(SETS):
        sample = sample_lines(spec, Split.HELD_OUT, True, args.crops, 20261125 + index, crops=True)
        crops = [np.ascontiguousarray(np.stack([crop] * 3, axis=-1)) for _, crop in sample]
        ms = [_ms_per_crop(engine, crops, args.passes) for engine in engines.values()]
        print(
            f"| {spec.name} | "
            + " | ".join(f"{value:.2f}" for value in ms)
            + f" | {ms[1] / ms[0]:.2f} | {ms[2] / ms[0]:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
