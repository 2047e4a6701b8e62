"""Fit the confidence calibration (``templateocr/pipeline/calibration.json``) on benchmark readings.

Runs the accuracy benchmark's pages (``bench/accuracy.py``: every language, layout and level,
printed and handwriting-style values) with seeds the benchmark's report does not use, takes each
text field's route (language; text, numeric or boxes), its least sure word's raw confidence and
whether it read exactly, and fits one isotonic table per route
(``templateocr.pipeline.calibration.fit``). Then check it on the report's seed::

    python bench/calibrate.py                     # ~6 minutes on 2 cores (3 seeds)
    python bench/calibrate.py --refit             # again from the kept readings, in a second
    python bench/calibrate.py --langs ko          # refit Korean's routes only (~1.5 minutes)
    python bench/accuracy.py                      # "exact at conf >= 0.9 %"
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.accuracy import parse_args, run_benchmark
from templateocr.engines.base import ReadOptions
from templateocr.engines.registry import route
from templateocr.engines.system import LANGS
from templateocr.pipeline.calibration import TABLE_FILE, Calibration, field_key, fit

READINGS = Path(__file__).resolve().parent / "results" / "calibration-readings.json"


def _routes() -> dict[str, str]:
    """The engine each route goes to now (kept in the file: a change of engines needs a refit)."""
    routes = {}
    for lang in ("ko", "ja", "zh-TW", "en"):
        routes[field_key(lang)] = route(lang, ReadOptions())
        routes[field_key(lang, numeric=True)] = route(lang, ReadOptions(numeric=True))
        # a MULTI_BOX field's boxes, numeric or not, share one table
        boxes = {route(lang, ReadOptions(numeric=numeric, single_char=True)) for numeric in (False, True)}
        routes[field_key(lang, box=True)] = "|".join(sorted(boxes))
    return routes


def _keep_others(calibration: Calibration, previous: Path, langs: list[str]) -> Calibration:
    """``calibration`` with the tables of the languages not in ``langs`` taken from ``previous``."""
    if not previous.is_file():
        return calibration
    kept = Calibration.from_json(json.loads(previous.read_text(encoding="utf-8")))
    others = {key for key in kept.tables if key.split("/")[0] not in langs}
    return Calibration(
        tables={**{k: kept.tables[k] for k in others}, **calibration.tables},
        engines={**{k: v for k, v in kept.engines.items() if k in others}, **calibration.engines},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1001, 1002, 1003])
    parser.add_argument("--pages-per-template", type=int, default=4)
    parser.add_argument("--out", type=Path, default=TABLE_FILE)
    parser.add_argument(
        "--readings", type=Path, default=READINGS, help="where the readings are kept (JSON), to refit from"
    )
    parser.add_argument("--refit", action="store_true", help="fit on the kept readings; read no pages")
    parser.add_argument(
        "--langs",
        nargs="+",
        choices=LANGS,
        default=list(LANGS),
        help="refit these languages' routes (after a change to their engines); the others keep their "
        "tables in --out",
    )
    args = parser.parse_args(argv)
    readings: list[tuple[str, float, bool]] = []
    if args.refit:
        readings = [(key, raw, exact) for key, raw, exact in json.loads(args.readings.read_text())]
    else:
        for seed in args.seeds:
            pages = ["--pages-per-template", str(args.pages_per_template)]
            bench = parse_args(["--seed", str(seed), *pages, "--langs", *args.langs])
            report = run_benchmark(bench)
            for record in report["records"]:
                for key, exact, _, raw in record["score"]["readings"]:
                    readings.append((key, raw, exact))
            print(f"seed {seed}: {len(readings)} readings so far", file=sys.stderr)
        args.readings.parent.mkdir(parents=True, exist_ok=True)
        args.readings.write_text(json.dumps(readings) + "\n", encoding="utf-8")
    readings = [r for r in readings if r[0].split("/")[0] in args.langs]
    calibration = _keep_others(fit(readings, _routes()), args.out, args.langs)
    args.out.write_text(json.dumps(calibration.to_json(), indent=1) + "\n", encoding="utf-8")
    for key, table in sorted(calibration.tables.items()):
        print(f"{key}: {table.readings} readings, {len(table.xs)} steps, top {table.ys[-1]:.3f}")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
