"""``templateocr batch``: read many files (images, PDFs, TIFFs) with every core.

Inputs (files, folders, globs) -> files -> pages -> one CLOVA V2 result per page, appended to a
JSON Lines file as each file finishes. Each worker process (``spawn``-safe: everything it needs
is pickled into :class:`BatchConfig`) builds its own engines and template cache once; no worker
touches the database. A page's key is (absolute path, size, mtime, page index), so a rerun skips
the pages already in the output and reads only what is new or changed. A file that cannot be
read is reported (stderr and an ``error`` line) and skipped; errors are retried on a rerun.

Each output line is ``{"key", "file", "page", "pages", "result"}`` (``result``: the CLOVA
response for that page alone) or ``{"key", "file", "error"}``.
"""

from __future__ import annotations

import csv
import glob
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from templateocr.models.records import TemplateRecord
from templateocr.models.template import Lang
from templateocr.pipeline.decode import DecodeLimits

__all__ = [
    "EXTENSIONS",
    "BatchConfig",
    "BatchSummary",
    "done_keys",
    "expand_inputs",
    "page_key",
    "run_batch",
    "write_csv",
]

EXTENSIONS: dict[str, str] = {
    ".jpg": "jpg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".pdf": "pdf",
    ".tif": "tif",
    ".tiff": "tiff",
}
"""File suffixes read (folders are searched for these), and the format each declares."""


@dataclass(frozen=True)
class BatchConfig:
    """What every worker needs: the candidate templates with their samples (PNG) and options."""

    records: tuple[TemplateRecord, ...]
    samples: dict[tuple[int, int], bytes]
    langs: tuple[Lang, ...] | None = None
    threshold: float = 0.25
    limits: DecodeLimits = field(default_factory=lambda: DecodeLimits(max_pages=10_000))
    validator_timeout_s: float = 5.0
    workers: int = 0
    """Worker processes; 0 means one per core, 1 reads in this process."""


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: pages read, pages skipped as already done, files that failed, seconds."""

    pages: int
    skipped: int
    failed: tuple[str, ...]
    seconds: float
    start_seconds: float = 0.0
    """Until the workers were ready (engines loaded and warmed, templates prepared)."""

    @property
    def pages_per_second(self) -> float:
        """Pages read per second of this run (the workers' start included)."""
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def reading_pages_per_second(self) -> float:
        """Pages read per second once the workers were ready (the rate a longer run approaches)."""
        reading = self.seconds - self.start_seconds
        return self.pages / reading if reading > 0 else 0.0


# --- inputs and keys -----------------------------------------------------------------------


def expand_inputs(inputs: Sequence[str]) -> list[Path]:
    """Files named, found in folders (recursively) or matched by globs, de-duplicated, in order.

    A named file is kept whatever its suffix (so an unreadable one is reported); folders and
    globs keep only :data:`EXTENSIONS`. A name that matches nothing is kept (and reported later).
    """
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _readable_suffix(p)))
        elif path.exists():
            found.append(path)
        elif glob.has_magic(item):
            for match in sorted(glob.glob(item, recursive=True)):  # noqa: PTH207 (absolute patterns too)
                candidate = Path(match)
                if candidate.is_file() and _readable_suffix(candidate):
                    found.append(candidate)
                elif candidate.is_dir():
                    found.extend(expand_inputs([match]))
        else:
            found.append(path)
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(str(path.absolute()), path.absolute())
    return list(unique.values())


def _readable_suffix(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


def _file_id(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def page_key(path: Path, page: int) -> str:
    """The resume key of one page: ``path|size|mtime_ns|page`` (raises ``OSError`` when missing)."""
    return f"{_file_id(path)}|{page}"


def done_keys(out: Path) -> dict[str, int]:
    """Keys of the pages already in ``out`` with a result, mapped to their file's page count."""
    done: dict[str, int] = {}
    if not out.exists():
        return done
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by an interrupted run
                continue
            if isinstance(item, dict) and "result" in item and "key" in item:
                done[str(item["key"])] = int(item.get("pages", 1))
    return done


def _missing_pages(path: Path, done: dict[str, int]) -> tuple[list[int] | None, int]:
    """Pages of ``path`` still to read (None: all, count unknown) and how many are done."""
    prefix = _file_id(path) + "|"
    counts = {count for key, count in done.items() if key.startswith(prefix)}
    if not counts:
        return None, 0
    total = max(counts)
    missing = [i for i in range(total) if f"{prefix}{i}" not in done]
    return missing, total - len(missing)


# --- the worker ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(config: BatchConfig, single_thread: bool = False) -> None:
    """Load and warm the engines and prepare every template, before the first file."""
    from templateocr.engines.registry import EngineSet
    from templateocr.engines.system import LANGS
    from templateocr.pipeline.prepare import TemplateCache

    if single_thread:  # one worker per core: OpenCV's own threads would compete for the cores
        import cv2

        cv2.setNumThreads(1)
    _WORKER.clear()
    engines, cache = EngineSet(), TemplateCache()
    wanted = config.langs or [record.definition.lang for record in config.records]
    langs = {lang.value for lang in wanted}
    engines.warm_up(tuple(lang for lang in LANGS if lang in langs))
    for record in config.records:
        cache.get(record, _sample_of(config, record))
    _WORKER.update(config=config, engines=engines, cache=cache)


def _sample_of(config: BatchConfig, record: TemplateRecord) -> Callable[[], bytes]:
    return lambda: config.samples[(record.id, record.version)]


def _ready(_: int) -> int:
    time.sleep(0.05)  # long enough for the other workers to take the other calls
    return os.getpid()


def _read_file(job: tuple[str, list[int] | None]) -> list[dict[str, Any]]:
    """Read one file's pages (all, or the listed ones): one output line each, or one error line."""
    from templateocr.api.clova.mapping import page_to_wire, response_to_wire
    from templateocr.pipeline.decode import decode_image
    from templateocr.pipeline.run import RunOptions, run_document
    from templateocr.pipeline.validate import HttpValidator

    name, wanted = job
    path = Path(name)
    config: BatchConfig = _WORKER["config"]
    try:
        key_base = _file_id(path)
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"unknown file type {path.suffix or '(none)'!r}")
        pages = decode_image(path.read_bytes(), fmt, config.limits, where=path.name)
        prepared = [
            _WORKER["cache"].get(rec, lambda rec=rec: config.samples[(rec.id, rec.version)])
            for rec in config.records
        ]
        options = RunOptions(
            langs=config.langs,
            threshold=config.threshold,
            payload=lambda result: {"image": page_to_wire(result, path.name, "V2")},
            validator=HttpValidator(config.validator_timeout_s),
        )
        chosen = [page for page in pages if wanted is None or page.index in wanted]
        results = run_document(chosen, prepared, _WORKER["engines"], options)
    except Exception as exc:  # any unreadable file is reported and skipped
        message = str(exc) or type(exc).__name__
        return [{"key": f"{name}|error", "file": name, "error": f"{type(exc).__name__}: {message}"}]
    lines = []
    for page, result in zip(chosen, results, strict=True):
        wire = response_to_wire("V2", f"{path.name}#{page.index}", path.name, [result])
        lines.append(
            {
                "key": f"{key_base}|{page.index}",
                "file": name,
                "page": page.index,
                "pages": len(pages),
                "result": wire,
            }
        )
    return lines


# --- the run -------------------------------------------------------------------------------


class _Progress:
    """A one-line progress report on a stream: files, pages, pages per second, ETA."""

    def __init__(self, stream: IO[str] | None, files: int, skipped: int) -> None:
        self.stream = stream
        self.files = files
        self.skipped = skipped
        self.tty = bool(stream is not None and stream.isatty())
        self.start = time.monotonic()
        self.last = 0.0

    def restart(self) -> None:
        """Count rates and the ETA from now (the workers have just started)."""
        self.start = time.monotonic()

    def update(self, files_done: int, pages: int, *, final: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not final and not self.tty and now - self.last < 5.0:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = pages / elapsed
        left = self.files - files_done
        eta = elapsed / files_done * left if files_done else 0.0
        width = 24
        filled = int(width * files_done / self.files) if self.files else width
        bar = "#" * filled + "." * (width - filled)
        text = (
            f"[{bar}] {files_done}/{self.files} files  {pages} pages  {rate:.2f} pages/s  "
            f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        )
        if self.skipped:
            text += f"  ({self.skipped} pages already done)"
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()


def _jobs(files: Sequence[Path], done: dict[str, int]) -> tuple[list[tuple[str, list[int] | None]], int]:
    jobs: list[tuple[str, list[int] | None]] = []
    skipped = 0
    for path in files:
        try:
            missing, finished = _missing_pages(path, done)
        except OSError:
            missing, finished = None, 0  # the worker reports it
        skipped += finished
        if missing != []:
            jobs.append((str(path), missing))
    return jobs, skipped


def _results(
    jobs: list[tuple[str, list[int] | None]], config: BatchConfig, ready: Callable[[], None]
) -> Iterator[list[dict[str, Any]]]:
    """Each job's output lines, as the workers finish them; ``ready()`` once they have started."""
    workers = config.workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        _init_worker(config)
        ready()
        for job in jobs:
            yield _read_file(job)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(config, True)) as pool:
        pool.map(_ready, range(workers), chunksize=1)
        ready()
        yield from pool.imap_unordered(_read_file, jobs, chunksize=1)


def run_batch(
    inputs: Sequence[Path], out: Path, config: BatchConfig, *, progress: IO[str] | None = None
) -> BatchSummary:
    """Read every page of ``inputs`` not already in ``out``, appending one line per page.

    Args:
        inputs: files (see :func:`expand_inputs`).
        out: the JSON Lines file (created, or appended to when resuming).
        config: templates, options and worker count.
        progress: where the progress line and failures go (None: silent).

    Returns:
        The pages read and skipped, the files that failed, and the time taken.
    """
    start = time.monotonic()
    done = done_keys(out)
    jobs, skipped = _jobs(inputs, done)
    report = _Progress(progress, len(jobs), skipped)
    pages = 0
    failed: list[str] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    needs_newline = out.exists() and out.stat().st_size > 0 and not out.read_bytes().endswith(b"\n")
    with out.open("a", encoding="utf-8") as handle:
        if needs_newline:  # an interrupted run left half a line
            handle.write("\n")
        started = [0.0]

        def ready() -> None:
            started[0] = time.monotonic() - start
            report.restart()

        for files_done, lines in enumerate(_results(jobs, config, ready) if jobs else iter(()), start=1):
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                if "error" in line:
                    failed.append(line["file"])
                    if progress is not None:
                        progress.write(f"\ntemplateocr batch: skipped {line['file']}: {line['error']}\n")
                else:
                    pages += 1
            handle.flush()
            report.update(files_done, pages)
    report.update(len(jobs), pages, final=True)
    return BatchSummary(pages, skipped, tuple(failed), time.monotonic() - start, started[0] if jobs else 0.0)


# --- CSV -----------------------------------------------------------------------------------


def write_csv(jsonl: Path, csv_path: Path) -> int:
    """One row per page of ``jsonl`` (its last line per file and page): file, page, status, template,
    fields (a file changed since an earlier run shows its newest reading).

    Field columns are the union of the field names met, in order of first appearance.
    Returns the number of rows written.
    """
    rows: dict[tuple[str, int], dict[str, str]] = {}
    columns: dict[str, None] = {}
    with jsonl.open(encoding="utf-8") as handle:
        for text in handle:
            try:
                item = json.loads(text)
            except json.JSONDecodeError:
                continue
            if not isinstance(item, dict) or "result" not in item:
                continue
            (image,) = item["result"]["images"]
            row = {
                "file": str(item["file"]),
                "page": str(item["page"]),
                "status": str(image.get("inferResult", "")),
                "template": str(image.get("matchedTemplate", {}).get("name", "")),
            }
            for spec in image.get("fields", []):
                columns.setdefault(str(spec["name"]), None)
                row[str(spec["name"])] = str(spec.get("inferText", ""))
            rows[(row["file"], int(item["page"]))] = row
    header = ["file", "page", "status", "template", *columns]
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        for _, row in sorted(rows.items()):
            writer.writerow(row)
    return len(rows)
