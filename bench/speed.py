"""Speed benchmark (issue 6): ``python bench/speed.py [--quick]``.

In one run, on one machine: (a) ``/infer`` latency over HTTP, p50/p95, for a one-page form photo
(A4 at 150 dpi, JPEG, 10 fields) per language, and the first request after start; (b) the same
page by full-page detection + recognition with the same engines, words assigned to the areas
(what one does without templates); (c) the floor: recognition alone of the page's crops, already
cut out; (d) pages/s with 1, 2 and 4 concurrent clients; (e) resident memory per worker over N
requests; a 10-page PDF against one page; ``templateocr batch`` throughput; and a per-stage
profile of one request. Prints a table with ratios; writes ``bench/results/speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from speed_http import Server, infer, infer_body, latency, throughput
from speed_local import LANGS, FullPageReader, TestPage, floor_ms, full_page_ms, make_page, profile_request

RESULTS = Path(__file__).resolve().parent / "results" / "speed.json"


def _say(message: str) -> None:
    sys.stderr.write(f"[speed {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few requests (a smoke run, ~3 minutes)")
    parser.add_argument("--requests", type=int, help="sequential requests per language for (a)")
    parser.add_argument("--throughput-requests", type=int, help="requests per concurrency level for (d)")
    parser.add_argument("--memory-requests", type=int, help="requests for the memory check (e); 2000 in full")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--runs", type=int, help="repetitions of the in-process measurements (b), (c)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.requests = args.requests or (6 if quick else 30)
    args.throughput_requests = args.throughput_requests or (8 if quick else 40)
    args.memory_requests = (
        args.memory_requests if args.memory_requests is not None else (100 if quick else 600)
    )
    args.runs = args.runs or (3 if quick else 7)
    return args


def _serve(args: argparse.Namespace, pages: dict[str, TestPage], data_dir: Path) -> dict[str, Any]:
    from templateocr.synth import fill_form, sample_values, to_pdf, warp_scan

    out: dict[str, Any] = {}
    server = Server(data_dir, workers=args.workers)
    server.start()
    out["server_start_s"] = server.started_s
    out["rss_after_start_mb"] = server.worker_rss_mb()
    _say(f"server up in {server.started_s:.1f} s, workers RSS {out['rss_after_start_mb']}")
    try:
        server.create_templates({lang: page.form for lang, page in pages.items()})
        bodies = {lang: infer_body(page.b64) for lang, page in pages.items()}
        first: dict[str, float] = {}
        import httpx

        with httpx.Client(base_url=server.base, timeout=300) as client:
            for lang in LANGS:  # each language's first request also prepares its template
                seconds, result = infer(client, bodies[lang])
                first[lang] = 1000 * seconds
                (image,) = result["images"]
                fields = {f["name"]: f["inferText"] for f in image.get("fields", [])}
                exact = sum(
                    1
                    for name, value in pages[lang].values.items()
                    if isinstance(value, str)
                    and fields.get(name, "").replace(" ", "") == value.replace(" ", "")
                )
                out.setdefault("exact_fields", {})[lang] = exact
        out["first_request_ms"] = first
        out["latency"] = {}
        for lang in LANGS:
            out["latency"][lang] = latency(server, bodies[lang], args.requests)
            _say(f"(a) {lang}: p50 {out['latency'][lang]['p50_ms']:.0f} ms")

        en = pages["en"].form
        scans = [
            warp_scan(fill_form(en, sample_values(en, seed=100 + i), seed=i), seed=200 + i).image
            for i in range(10)
        ]
        import base64

        pdf1 = infer_body(base64.b64encode(to_pdf(scans[:1])).decode(), "pdf")
        pdf10 = infer_body(base64.b64encode(to_pdf(scans)).decode(), "pdf")
        pdf_runs = 2 if args.quick else 5
        out["pdf_1_page"] = latency(server, pdf1, pdf_runs)
        out["pdf_10_pages"] = latency(server, pdf10, pdf_runs)
        one, ten = out["pdf_1_page"]["p50_ms"], out["pdf_10_pages"]["p50_ms"]
        _say(f"pdf: 1 page {one:.0f} ms, 10 pages {ten:.0f} ms")

        mixed = [bodies[lang] for lang in LANGS]
        out["throughput"] = {}
        for clients in (1, 2, 4):
            out["throughput"][str(clients)] = throughput(server, mixed, clients, args.throughput_requests)
            _say(f"(d) {clients} clients: {out['throughput'][str(clients)]['pages_per_s']:.2f} pages/s")

        samples: list[dict[str, Any]] = [{"request": 0, "rss_mb": server.worker_rss_mb()}]
        step = max(50, args.memory_requests // 8)

        def sample(n: int) -> None:
            if (n % step == 0 or n == 500) and n != args.memory_requests:
                samples.append({"request": n, "rss_mb": server.worker_rss_mb()})

        if args.memory_requests:
            clients = max(2, args.workers)
            run = throughput(server, mixed, clients, args.memory_requests, on_request=sample)
            samples.append({"request": args.memory_requests, "rss_mb": server.worker_rss_mb()})
            out["memory"] = {"requests": args.memory_requests, "clients": clients, "samples": samples, **run}
            _say(f"(e) RSS after {args.memory_requests} requests: {samples[-1]['rss_mb']}")
    finally:
        server.stop()
    return out


def _local(args: argparse.Namespace, pages: dict[str, TestPage], data_dir: Path) -> dict[str, Any]:
    import cv2

    from templateocr.api.app import build_runtime
    from templateocr.api.clova.schemas import InferRequest, ParsedRequest
    from templateocr.api.inference import execute
    from templateocr.engines.registry import EngineSet
    from templateocr.settings import Settings

    cv2.setNumThreads(1)  # on one core, as a compute process reads a page (api/compute.py)
    engines = EngineSet()
    engines.warm_up()
    out: dict[str, Any] = {"floor": {}, "full_page": {}, "profile": {}}
    reader = FullPageReader(engines)
    for lang, page in pages.items():
        out["floor"][lang] = floor_ms(engines, page, args.runs)
        out["full_page"][lang] = full_page_ms(reader, page, args.runs)
        floor, full = out["floor"][lang]["ms"], out["full_page"][lang]["ms"]
        _say(f"(c) {lang}: {floor:.0f} ms floor, (b) {full:.0f} ms full page")
    settings = Settings(data_dir=data_dir, admin_token="speed-bench-admin-token-0123456789")
    runtime = build_runtime(settings, engines=engines, announce=lambda _m: None)
    records = runtime.store.released_templates(1)
    for lang, page in pages.items():
        body = infer_body(page.b64)

        def once(body: dict[str, Any] = body) -> Any:
            return execute(runtime, ParsedRequest(InferRequest.model_validate(body)), records)

        out["profile"][lang] = profile_request(once, runs=args.runs)
    out["batch"] = _batch(args, pages, runtime)
    return out


def _batch(args: argparse.Namespace, pages: dict[str, TestPage], runtime: Any) -> dict[str, Any]:
    from templateocr.batch import BatchConfig, expand_inputs, run_batch

    records = runtime.store.released_templates(1)
    config = BatchConfig(
        records=tuple(records),
        samples={(r.id, r.version): runtime.store.get_sample(r.id, r.version) for r in records},
    )
    with tempfile.TemporaryDirectory(prefix="speed-batch-") as folder:
        root = Path(folder)
        count = args.throughput_requests
        for n in range(count):
            lang = LANGS[n % len(LANGS)]
            (root / f"{n:04d}-{lang}.jpg").write_bytes(pages[lang].jpeg)
        summary = run_batch(expand_inputs([str(root)]), root / "out.jsonl", config)
    _say(
        f"batch: {summary.pages} pages, {summary.reading_pages_per_second:.2f} pages/s once started "
        f"({summary.start_seconds:.1f} s), {summary.pages_per_second:.2f} pages/s start included"
    )
    return {
        "pages": summary.pages,
        "seconds": summary.seconds,
        "start_seconds": summary.start_seconds,
        "pages_per_s": summary.reading_pages_per_second,
        "pages_per_s_start_included": summary.pages_per_second,
        "workers": os.cpu_count(),
        "failed": list(summary.failed),
    }


def _ratios(result: dict[str, Any]) -> dict[str, Any]:
    serve, local = result["serve"], result["local"]
    per_lang = {}
    for lang in LANGS:
        lat = serve["latency"][lang]
        floor, full = local["floor"][lang], local["full_page"][lang]
        per_lang[lang] = {
            "e2e_over_floor": lat["p50_ms"] / floor["ms"],
            "full_page_over_e2e": full["ms"] / lat["p50_ms"],
            "cpu_e2e_over_floor": lat["server_cpu_ms"] / floor["cpu_ms"],
            "cpu_full_page_over_e2e": full["cpu_ms"] / lat["server_cpu_ms"],
            "first_over_median": serve["first_request_ms"][lang] / lat["p50_ms"],
        }
    tput = serve["throughput"]
    ratios: dict[str, Any] = {
        "per_lang": per_lang,
        "throughput_2_over_1": tput["2"]["pages_per_s"] / tput["1"]["pages_per_s"],
        "throughput_4_over_1": tput["4"]["pages_per_s"] / tput["1"]["pages_per_s"],
        "pdf_10_over_1": serve["pdf_10_pages"]["p50_ms"] / serve["pdf_1_page"]["p50_ms"],
        "batch_over_server_2_clients": local["batch"]["pages_per_s"] / tput["2"]["pages_per_s"],
    }
    memory = serve.get("memory")
    if memory:
        by_request = {s["request"]: max(s["rss_mb"]) for s in memory["samples"]}
        base = by_request.get(500) or by_request[min(k for k in by_request if k > 0)]
        ratios["rss_growth_mb_from_500_or_first_sample"] = by_request[memory["requests"]] - base
    return ratios


def _table(result: dict[str, Any]) -> str:
    serve, local, ratios = result["serve"], result["local"], result["ratios"]
    lines = [
        f"load average at start / end: {result['loadavg']['start']} / {result['loadavg']['end']}",
        "",
        "Wall-clock ms (CPU ms in brackets: server worker CPU per request for (a); process CPU for "
        "(b), (c)).",
        "",
        "| lang | (a) e2e p50 | (a) p95 | first | (b) full page | (c) floor | e2e/floor "
        "| full/e2e | first/p50 | fields exact (a) / (b) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lang in LANGS:
        lat, r = serve["latency"][lang], ratios["per_lang"][lang]
        full, floor = local["full_page"][lang], local["floor"][lang]
        lines.append(
            f"| {lang} | {lat['p50_ms']:.0f} ({lat['server_cpu_ms']:.0f}) | {lat['p95_ms']:.0f} "
            f"| {serve['first_request_ms'][lang]:.0f} | {full['ms']:.0f} ({full['cpu_ms']:.0f}) "
            f"| {floor['ms']:.0f} ({floor['cpu_ms']:.0f}) "
            f"| {r['e2e_over_floor']:.2f}x ({r['cpu_e2e_over_floor']:.2f}x) "
            f"| {r['full_page_over_e2e']:.2f}x ({r['cpu_full_page_over_e2e']:.2f}x) "
            f"| {r['first_over_median']:.2f}x | {serve['exact_fields'][lang]} / {int(full['exact_fields'])} |"
        )
    tput = serve["throughput"]
    one = tput["1"]["pages_per_s"]
    pdf1, pdf10 = serve["pdf_1_page"]["p50_ms"], serve["pdf_10_pages"]["p50_ms"]
    lines += [
        "",
        "| clients | pages/s | vs 1 client | server CPU ms/page | server cores busy | + the clients' |",
        "|---|---|---|---|---|---|",
        *(
            f"| {c} | {tput[c]['pages_per_s']:.2f} | {tput[c]['pages_per_s'] / one:.2f}x "
            f"| {tput[c].get('server_cpu_ms_per_page', 0):.0f} | {tput[c].get('server_cpu_busy', 0):.2f} "
            f"| {tput[c].get('server_cpu_busy', 0) + tput[c].get('client_cpu_busy', 0):.2f} |"
            for c in ("1", "2", "4")
        ),
        "",
        f"- PDF: 1 page {pdf1:.0f} ms, 10 pages {pdf10:.0f} ms ({ratios['pdf_10_over_1']:.2f}x)",
        f"- batch: {local['batch']['pages_per_s']:.2f} pages/s over {local['batch']['pages']} pages once its "
        f"workers were ready ({ratios['batch_over_server_2_clients']:.2f}x the server with 2 clients; "
        f"start {local['batch'].get('start_seconds', 0):.1f} s, "
        f"{local['batch'].get('pages_per_s_start_included', 0):.2f} pages/s with it)",
        f"- server start (models warmed) {serve['server_start_s']:.1f} s; "
        f"RSS after start {serve['rss_after_start_mb']}",
    ]
    memory = serve.get("memory")
    if memory:
        trail = ", ".join(f"{s['request']}: {max(s['rss_mb']):.0f}" for s in memory["samples"])
        lines.append(
            f"- RSS per worker (MiB, max over workers) by request: {trail}; growth "
            f"{ratios['rss_growth_mb_from_500_or_first_sample']:+.1f} MiB"
        )
    lines += ["", "Profile of one request (in process, the median run; wall ms / thread CPU ms (calls)):", ""]
    lines.append("| stage | " + " | ".join(LANGS) + " |")
    lines.append("|---|" + "---|" * len(LANGS))
    names: dict[str, None] = {}
    for lang in LANGS:
        names.update(dict.fromkeys(local["profile"][lang]["stages"]))
    for name in names:
        cells = []
        for lang in LANGS:
            item = local["profile"][lang]["stages"].get(name)
            cells.append(f"{item['ms']:.1f} / {item['cpu_ms']:.1f} ({int(item['calls'])})" if item else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [
        f"{local['profile'][lang]['total_ms']:.1f} / {local['profile'][lang]['total_cpu_ms']:.1f}"
        for lang in LANGS
    ]
    lines.append("| **execute() total** | " + " | ".join(totals) + " |")
    http = [
        f"{serve['latency'][lang]['server_cpu_ms'] - local['profile'][lang]['total_cpu_ms']:.1f}"
        for lang in LANGS
    ]
    lines.append("| server CPU/request - execute CPU (HTTP, JSON, base64) | " + " | ".join(http) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    started = time.time()
    pages = {lang: make_page(lang) for lang in LANGS}
    _say("pages rendered; starting the server")
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="speed-") as folder:
        data_dir = Path(folder) / "data"
        serve = _serve(args, pages, data_dir)
        local = _local(args, pages, data_dir)
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "command": " ".join(["python bench/speed.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {k: str(v) for k, v in vars(args).items()},
        "serve": serve,
        "local": local,
        "wall_s": time.time() - started,
        "loadavg": {
            "start": [round(v, 2) for v in load_start],
            "end": [round(v, 2) for v in os.getloadavg()],
        },
    }
    result["ratios"] = _ratios(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(_table(result) + "\n")
    _say(f"done in {result['wall_s']:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
