"""``python -m templateocr.training train|export|evaluate``: the recognizer's one command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from templateocr.engines.crnn_model import SHIPPED_MODELS
from templateocr.engines.jamo import SYLLABLES
from templateocr.training.charset import ALPHABETS

__all__ = ["main"]

DEFAULT_RUN = Path("runs/recognizer")
DEFAULT_MODEL = Path("src/templateocr/engines/models/ko_latin_crnn.onnx")
DEFAULT_MODELS = [(DEFAULT_MODEL.with_name(path.name), weight) for path, weight in SHIPPED_MODELS]
"""The models the server reads with, together, and their weights (``SHIPPED_MODELS``, here as
paths in the checkout)."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="python -m templateocr.training", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train or resume a run")
    train.add_argument("--run", type=Path, default=DEFAULT_RUN, help="run directory (checkpoint: last.pt)")
    train.add_argument("--steps", type=int, default=60_000, help="total steps of the schedule")
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=2e-3)
    train.add_argument("--seed", type=int, default=1)
    train.add_argument("--threads", type=int, default=2, help="PyTorch threads")
    train.add_argument("--workers", type=int, default=1, help="processes rendering lines")
    train.add_argument("--minutes", type=float, default=None, help="stop (and save) after this long")
    train.add_argument("--eval-every", type=int, default=2_000)
    train.add_argument(
        "--distort",
        action="store_true",
        help="bend the strokes of most handwriting-style lines (each font drawn as many hands)",
    )
    train.add_argument(
        "--alphabet",
        choices=ALPHABETS,
        default=SYLLABLES,
        help="a new run's classes: one class per character (the shipped model) or Hangul as jamo",
    )
    train.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="a new run starts from this checkpoint's weights where they fit (another alphabet: a new head)",
    )
    export = sub.add_parser("export", help="checkpoint -> ONNX")
    export.add_argument("--run", type=Path, default=DEFAULT_RUN)
    export.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    evaluate = sub.add_parser("evaluate", help="held-out and training fonts, printed and handwriting-style")
    evaluate.add_argument(
        "--model",
        type=Path,
        action="append",
        default=None,
        help="a model to read with; repeat it to read with several together (default: the shipped pair)",
    )
    evaluate.add_argument(
        "--weight",
        type=float,
        action="append",
        default=None,
        help="each --model's weight where readings differ, in order (default 1 each)",
    )
    evaluate.add_argument("--lines", type=int, default=200, help="lines per set")
    evaluate.add_argument("--json", type=Path, default=None, help="also write the table as JSON")
    evaluate.add_argument(
        "--compare",
        action="store_true",
        help="also read the same field crops with the server's other engines",
    )
    resume = sub.add_parser(
        "from-onnx", help="start a run from the shipped ONNX model (its checkpoint is not committed)"
    )
    resume.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    resume.add_argument("--run", type=Path, default=DEFAULT_RUN)
    resume.add_argument("--seed", type=int, default=1)
    card = sub.add_parser("card", help="write the model card from an evaluation JSON")
    card.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    card.add_argument("--evaluation", type=Path, required=True)
    card.add_argument("--out", type=Path, default=DEFAULT_MODEL.with_name("MODEL_CARD.md"))
    card.add_argument("--fact", action="append", default=[], help="KEY=VALUE lines for the training section")
    card.add_argument(
        "--reader-evaluation",
        type=Path,
        default=None,
        help="evaluation JSON of the shipped models read together (evaluate without --model)",
    )
    args = parser.parse_args(argv)
    if args.command == "train":
        from templateocr.training.model import ModelConfig
        from templateocr.training.train import TrainConfig
        from templateocr.training.train import train as run

        run(
            TrainConfig(
                run_dir=args.run,
                steps=args.steps,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=args.seed,
                threads=args.threads,
                workers=args.workers,
                max_minutes=args.minutes,
                eval_every=args.eval_every,
                init_from=args.init_from,
                distort=args.distort,
            ),
            ModelConfig(alphabet=args.alphabet),
        )
    elif args.command == "card":
        from templateocr.training.card import write_card

        facts = dict(fact.split("=", 1) for fact in args.fact)
        print(write_card(args.model, args.evaluation, args.out, facts, args.reader_evaluation))
    elif args.command == "from-onnx":
        from templateocr.training.from_onnx import checkpoint_from_onnx

        target = args.run / "last.pt"
        if target.exists():
            parser.error(f"{target} exists; a run goes on from its own checkpoint")
        step = checkpoint_from_onnx(args.model, target, seed=args.seed)
        print(f"{target}: step {step} from {args.model}; go on with: train --run {args.run} --steps N")
    elif args.command == "export":
        from templateocr.training.export import export_onnx

        print(export_onnx(args.run / "last.pt", args.out))
    else:
        from templateocr.training.evaluate import (
            compare_engines,
            evaluate_model,
            print_comparison,
            print_table,
        )

        if args.model is None:
            models = DEFAULT_MODELS
        else:
            weights = args.weight or [1.0] * len(args.model)
            if len(weights) != len(args.model):
                parser.error("give one --weight per --model, or none")
            models = list(zip(args.model, weights, strict=True))
        table = evaluate_model(models, args.lines)
        print_table(table)
        if args.compare:
            from templateocr.engines.crnn import CrnnEngine
            from templateocr.engines.registry import EngineSet

            engines = EngineSet()
            table["comparison"] = compare_engines(
                {
                    "crnn (ours)": (CrnnEngine(models), "ko"),
                    "tesseract-kor+rapid": (engines.engine("korean-tesseract"), "ko"),
                    "rapid (PP-OCRv6)": (engines.engine("rapid"), "en"),
                },
                max(20, args.lines // 2),
            )
            print_comparison(table["comparison"])
        if args.json:
            import json

            args.json.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
