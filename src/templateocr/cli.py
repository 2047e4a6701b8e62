"""The ``templateocr`` command line: serve, infer, templates, domains, db.

Commands other than ``serve`` work on the local store directly (the same data directory and
database URL the server uses), so they work offline and without the admin token.
Every error is a ``TemplateOcrError`` mapped once, in :func:`main`, to a message and exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from templateocr import __version__
from templateocr.exceptions import ConfigurationError, InvalidRequestError, TemplateOcrError
from templateocr.settings import Settings, load_settings

if TYPE_CHECKING:
    from templateocr.api.runtime import Runtime

__all__ = ["main"]

_SERVE_FLAGS = {
    "host": "TEMPLATEOCR_HOST",
    "port": "TEMPLATEOCR_PORT",
    "workers": "TEMPLATEOCR_WORKERS",
    "compute_processes": "TEMPLATEOCR_COMPUTE_PROCESSES",
    "data_dir": "TEMPLATEOCR_DATA_DIR",
    "database_url": "TEMPLATEOCR_DATABASE_URL",
}

_EXTENSIONS = {".jpg": "jpg", ".jpeg": "jpeg", ".png": "png", ".pdf": "pdf", ".tif": "tif", ".tiff": "tiff"}


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _format_of(path: Path) -> str:
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidRequestError(f"{path.name}: unknown file type; use jpg, jpeg, png, pdf, tif or tiff")
    return fmt


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        data_dir=getattr(args, "data_dir", None), database_url=getattr(args, "database_url", None)
    )


def _runtime(args: argparse.Namespace, *, engines: bool = False) -> Runtime:
    from templateocr.api.app import build_runtime
    from templateocr.engines.registry import EngineConfig, EngineSet

    def say(message: str) -> None:
        sys.stderr.write(message + "\n")

    settings = _settings(args)
    # Commands that read nothing load no OCR model: every route goes to the null engine.
    engine_set = EngineSet() if engines else EngineSet(EngineConfig(force="null"))
    return build_runtime(settings, engines=engine_set, announce=say)


# --- serve ---------------------------------------------------------------------------------


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from templateocr.engines.system import require_system_packages

    for key, env in _SERVE_FLAGS.items():
        value = getattr(args, key, None)
        if value is not None:
            os.environ[env] = str(value)
    settings = load_settings()
    require_system_packages()
    # Every process writes its metrics into one fresh directory; set before prometheus_client is
    # imported here or in a worker (``api/metrics.py``).
    metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.data_dir / "metrics")
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    from templateocr.api.app import prepare_server
    from templateocr.api.logs import uvicorn_log_config
    from templateocr.api.metrics import prepare_multiprocess_dir

    prepare_multiprocess_dir(metrics_dir)

    def say(message: str) -> None:
        sys.stderr.write(message + "\n")

    prepare_server(settings, announce=say)
    sys.stderr.write(
        f"templateocr {__version__}: http://{settings.host}:{settings.port}/  "
        f"(console /console, API docs /docs, data {settings.data_dir}, {settings.workers} process(es))\n"
    )
    sys.stderr.flush()
    uvicorn.run(
        "templateocr.api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=uvicorn_log_config(settings.log_level.upper()),
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
    )
    return 0


# --- infer ---------------------------------------------------------------------------------


def _cmd_infer(args: argparse.Namespace) -> int:
    from templateocr.api.clova.schemas import InferRequest, ParsedRequest
    from templateocr.api.inference import candidates_for_domain, execute

    path = Path(args.file)
    fmt = _format_of(path)
    data = path.read_bytes()
    runtime = _runtime(args, engines=True)
    request = InferRequest.model_validate(
        {
            "version": "V1" if args.v1 else "V2",
            "requestId": uuid.uuid4().hex,
            "timestamp": int(time.time() * 1000),
            "lang": args.lang,
            "images": [{"format": fmt, "name": path.name}],
        }
    )
    if args.template is not None:
        records = [runtime.store.get_template(args.template)]
    else:
        domain = runtime.store.get_domain(args.domain)
        records = candidates_for_domain(runtime, domain, None)
    _print_json(execute(runtime, ParsedRequest(request, data), records))
    return 0


# --- batch ---------------------------------------------------------------------------------


def _cmd_batch(args: argparse.Namespace) -> int:
    from templateocr.api.inference import candidates_for_domain
    from templateocr.batch import BatchConfig, expand_inputs, run_batch, write_csv
    from templateocr.models.template import parse_langs
    from templateocr.pipeline.decode import DecodeLimits

    try:
        langs = tuple(parse_langs(args.lang)) if args.lang else None
    except ValueError as exc:
        raise InvalidRequestError(f"--lang: {exc}") from None

    runtime = _runtime(args)
    store = runtime.store
    if args.template:
        records = [store.get_template(template_id) for template_id in args.template]
    else:
        records = candidates_for_domain(runtime, store.get_domain(args.domain), None)
    if not records:
        raise InvalidRequestError("no template to match: release templates to the domain or pass --template")
    settings = runtime.settings
    files = expand_inputs(args.inputs)
    if not files:
        raise InvalidRequestError("no input files found")
    config = BatchConfig(
        records=tuple(records),
        samples={(rec.id, rec.version): store.get_sample(rec.id, rec.version) for rec in records},
        langs=langs,
        threshold=settings.match_threshold,
        limits=DecodeLimits(
            max_bytes=settings.max_image_bytes,
            max_pixels=settings.max_pixels,
            max_pages=args.max_pages,
            pdf_dpi=settings.pdf_dpi,
        ),
        validator_timeout_s=settings.validator_timeout_s,
        workers=args.workers,
    )
    out = Path(args.out)
    summary = run_batch(files, out, config, progress=None if args.quiet else sys.stderr)
    sys.stderr.write(
        f"templateocr batch: {summary.pages} pages read ({summary.reading_pages_per_second:.2f} pages/s "
        f"after {summary.start_seconds:.1f} s to start), "
        f"{summary.skipped} already done, {len(summary.failed)} files failed; results in {out}\n"
    )
    if args.csv:
        rows = write_csv(out, Path(args.csv))
        sys.stderr.write(f"templateocr batch: {rows} rows in {args.csv}\n")
    return 0


# --- templates and domains -----------------------------------------------------------------


def _cmd_templates(args: argparse.Namespace) -> int:
    from templateocr.api import template_io

    runtime = _runtime(args)
    store = runtime.store
    if args.action == "list":
        for record in store.list_templates():
            sys.stdout.write(
                f"{record.id}\t{record.name}\tlang={record.definition.lang.value}\tversion={record.version}"
                f"\tfields={len(record.definition.fields)}\n"
            )
    elif args.action == "show":
        _print_json(template_io.template_json(store, store.get_template(args.id)))
    elif args.action in ("create", "import"):
        payload = json.loads(Path(args.file).read_text(encoding="utf-8"))
        sample = Path(args.sample) if getattr(args, "sample", None) else None
        record = template_io.create_from_payload(
            store,
            payload,
            sample.read_bytes() if sample else None,
            _format_of(sample) if sample else None,
        )
        sys.stdout.write(f"created template {record.id} (version {record.version}): {record.name}\n")
    elif args.action == "release":
        domain = store.release(args.domain, args.ids)
        sys.stdout.write(f"released {args.ids} to domain {domain.id}\n")
    elif args.action == "export":
        exported = template_io.export_body(store, args.id)
        text = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    return 0


def _cmd_domains(args: argparse.Namespace) -> int:
    runtime = _runtime(args)
    for domain in runtime.store.list_domains():
        sys.stdout.write(
            f"{domain.id}\t{domain.name}\tlang={domain.lang}\t/custom/v1/{domain.id}/{domain.invoke_key}/infer"
            f"\treleased={sorted(domain.releases)}\n"
        )
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from templateocr.store.sql import open_store

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    open_store(settings.resolved_database_url)
    sys.stdout.write("database is at the newest schema\n")
    return 0


# --- parser --------------------------------------------------------------------------------


def _store_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data directory (TEMPLATEOCR_DATA_DIR)")
    parser.add_argument("--database-url", help="database URL (TEMPLATEOCR_DATABASE_URL)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="templateocr", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"templateocr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server and console")
    serve.add_argument("--host", help="listen address (TEMPLATEOCR_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (TEMPLATEOCR_PORT, default 8080)")
    serve.add_argument("--workers", type=int, help="server processes (TEMPLATEOCR_WORKERS, default 1)")
    serve.add_argument(
        "--compute-processes",
        type=int,
        help="processes reading pages (TEMPLATEOCR_COMPUTE_PROCESSES, default: one per core)",
    )
    _store_flags(serve)
    serve.set_defaults(run=_cmd_serve)

    infer = commands.add_parser("infer", help="read one file and print CLOVA's JSON")
    infer.add_argument("file", help="image, PDF or TIFF")
    infer.add_argument("--template", type=int, help="match only this template (newest version)")
    infer.add_argument("--domain", type=int, default=1, help="match the templates released to this domain")
    infer.add_argument("--lang", help="ko, ja, zh-TW, en or a comma list")
    infer.add_argument("--v1", action="store_true", help="answer in the V1 shape")
    _store_flags(infer)
    infer.set_defaults(run=_cmd_infer)

    batch = commands.add_parser("batch", help="read many files into JSON Lines (resumable)")
    batch.add_argument("inputs", nargs="+", help="files, folders and globs (images, PDFs, TIFFs)")
    batch.add_argument("--out", required=True, help="JSON Lines file: one CLOVA result per page")
    batch.add_argument("--csv", help="also write a CSV: one row per page, one column per field")
    batch.add_argument("--template", type=int, nargs="+", help="match only these templates (newest versions)")
    batch.add_argument("--domain", type=int, default=1, help="match the templates released to this domain")
    batch.add_argument("--lang", help="ko, ja, zh-TW, en or a comma list")
    batch.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    batch.add_argument("--max-pages", type=int, default=10_000, help="pages read per file at most")
    batch.add_argument("--quiet", action="store_true", help="no progress line")
    _store_flags(batch)
    batch.set_defaults(run=_cmd_batch)

    templates = commands.add_parser("templates", help="manage templates")
    actions = templates.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create from a definition JSON (and a sample file)")
    create.add_argument("file", help="definition JSON (API.md 3.1)")
    create.add_argument("--sample", help="sample image/PDF/TIFF, if the JSON has no 'sample'")
    imp = actions.add_parser("import", help="create from a file written by 'export'")
    imp.add_argument("file")
    actions.add_parser("list", help="list templates")
    show = actions.add_parser("show", help="print a template's definition")
    show.add_argument("id", type=int)
    release = actions.add_parser("release", help="release templates to a domain")
    release.add_argument("ids", type=int, nargs="+")
    release.add_argument("--domain", type=int, default=1)
    export = actions.add_parser("export", help="write definition and sample as one JSON")
    export.add_argument("id", type=int)
    export.add_argument("--out", help="file to write (default: standard output)")
    for sub in (create, imp, actions.choices["list"], show, release, export):
        _store_flags(sub)
    templates.set_defaults(run=_cmd_templates)

    domains = commands.add_parser("domains", help="list domains with their invoke URLs")
    _store_flags(domains)
    domains.set_defaults(run=_cmd_domains)

    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="migrate to the newest schema")
    _store_flags(db)
    db.set_defaults(run=_cmd_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; errors become a message on standard error and an exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except TemplateOcrError as exc:
        sys.stderr.write(f"templateocr: {exc.full_message}\n")
        return exc.exit_code
    except (OSError, json.JSONDecodeError) as exc:
        sys.stderr.write(f"templateocr: {exc}\n")
        return ConfigurationError.exit_code
    except KeyboardInterrupt:
        return 130
