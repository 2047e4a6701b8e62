"""Load test: ``python bench/load.py [--requests 2000] [--clients 16]``.

Starts ``templateocr serve`` (real engines) on loopback, creates templates and releases them to
two domains, renders ``--variants`` different filled pages (each template filled with its own
values), and reads each once on its own for a baseline. Then:

1. **load**: ``--requests`` requests from ``--clients`` concurrent clients, half of the clients on
   each domain (so no domain has more than its cap in flight). Every answer must be HTTP 200, carry
   its own ``requestId`` and be exactly the baseline of the page it sent (template, fields, texts,
   coordinates): no 5xx, no lost, no mixed-up answers.
2. **cap**: ``--burst`` requests from ``--clients`` clients, all on one domain, past its cap
   (``--cap``): answers are 200 (correct, as above) or CLOVA's ``0025`` and nothing else; at least
   one ``0025``.
3. **memory**: the resident memory (``VmRSS``) of the server and its compute processes together,
   after the baseline, sampled four times a second through the run, and at the end; the median
   RSS of the last third of the load phase may exceed that of the middle third by
   ``--max-rss-growth-mb`` at most (the first third is the warm-up; medians, as single samples
   catch passing peaks of a few pages being decoded at once).

Prints a summary and writes the full report as JSON (``--out``); exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.processes import free_port, process_tree, rss_bytes, wait_healthy  # noqa: E402
from templateocr.synth import build_form, fill_form, sample_values, to_png

ADMIN = "load-admin-token-0123456789"
SECRET = "load-secret-0123456789"
FORMS = (("en", "invoice"), ("en", "registration"), ("en", "application"), ("ko", "application"))
MB = 1024 * 1024


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Target:
    """Where one request goes: an invoke URL and its secret."""

    path: str
    secret: str


@dataclass
class Variant:
    """One filled page, its template and its baseline answer."""

    template_id: int
    body_b64: str
    baseline: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Tally:
    """What the answers of one phase were."""

    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    mismatched: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_dict(self, elapsed_s: float) -> dict[str, Any]:
        lat = sorted(self.latencies_ms) or [0.0]
        return {
            "sent": self.sent,
            "statuses": dict(self.statuses),
            "server_errors": sum(n for s, n in self.statuses.items() if s.startswith("5")),
            "mismatched": len(self.mismatched),
            "mismatched_examples": self.mismatched[:5],
            "lost": len(self.lost),
            "lost_examples": self.lost[:5],
            "elapsed_s": round(elapsed_s, 2),
            "requests_per_s": round(self.sent / elapsed_s, 2) if elapsed_s else 0.0,
            "latency_ms": {
                "p50": round(statistics.median(lat), 1),
                "p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1),
                "max": round(lat[-1], 1),
            },
        }


def comparable(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An answer's pages without what differs between two reads of one page (``uid``)."""
    return [{k: v for k, v in page.items() if k != "uid"} for page in images]


class Server:
    """``templateocr serve`` in a subprocess."""

    def __init__(self, data_dir: Path, cap: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "TEMPLATEOCR_DATA_DIR": str(data_dir),
            "TEMPLATEOCR_ADMIN_TOKEN": ADMIN,
            "TEMPLATEOCR_SECRET": SECRET,
            "TEMPLATEOCR_PORT": str(self.port),
            "TEMPLATEOCR_HOST": "127.0.0.1",
            "TEMPLATEOCR_DOMAIN_CONCURRENCY": str(cap),
        }
        env.pop("TEMPLATEOCR_DATABASE_URL", None)
        env.pop("TEMPLATEOCR_WORKERS", None)
        self.log = data_dir.parent / "serve.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "templateocr", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_healthy(self.process, self.base)

    def rss(self) -> int:
        """The server's and its compute processes' resident memory together."""
        return sum(rss_bytes(pid) for pid in process_tree(self.process.pid))

    def processes(self) -> int:
        return len(process_tree(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def setup(
    server: Server, variants: int, width: int, height: int, fields: int
) -> tuple[list[Target], list[Variant]]:
    """Templates (their first ``fields`` areas) on domain 1 and a new one; ``variants`` filled
    pages (base64 PNG)."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server.base, headers=admin, timeout=120) as client:
        forms = [build_form(lang, kind, width=width, height=height) for lang, kind in FORMS]
        ids = []
        for form in forms:
            definition = form.to_create_json()
            definition["fields"] = definition["fields"][:fields]
            made = client.post("/api/v1/templates", json=definition)
            made.raise_for_status()
            ids.append(int(made.json()["id"]))
        other = client.post("/api/v1/domains", json={"name": "load", "lang": "en"})
        other.raise_for_status()
        targets = []
        for domain_id in (1, int(other.json()["id"])):
            client.post(f"/api/v1/domains/{domain_id}/releases", json={"templateIds": ids}).raise_for_status()
            domain = client.get(f"/api/v1/domains/{domain_id}").json()
            secret = domain.get("secret") or SECRET
            targets.append(Target(httpx.URL(domain["invokeUrl"]).path, secret))
    pages = []
    for v in range(variants):
        form = forms[v % len(forms)]
        filled = fill_form(form, sample_values(form, seed=v), seed=v)
        pages.append(Variant(ids[v % len(forms)], base64.b64encode(to_png(filled)).decode()))
    return targets, pages


def body_of(variant: Variant, request_id: str) -> dict[str, Any]:
    return {
        "version": "V2",
        "requestId": request_id,
        "timestamp": int(time.time() * 1000),
        "images": [{"format": "png", "name": f"page-{request_id}", "data": variant.body_b64}],
    }


def baseline(server: Server, target: Target, pages: list[Variant]) -> list[str]:
    """Read each page alone; what went wrong (a page not matched to its own template)."""
    problems = []
    with httpx.Client(base_url=server.base, timeout=300) as client:
        for index, variant in enumerate(pages):
            body = body_of(variant, f"baseline-{index}")
            response = client.post(target.path, json=body, headers={"X-OCR-SECRET": target.secret})
            response.raise_for_status()
            images = response.json()["images"]
            variant.baseline = comparable(images)
            matched = [page.get("matchedTemplate", {}).get("id") for page in images]
            if matched != [variant.template_id]:
                problems.append(f"page {index}: matched {matched}, expected {variant.template_id}")
    return problems


def run_phase(
    server: Server,
    pages: list[Variant],
    count: int,
    clients: int,
    target_of: Callable[[int], Target],
    phase: str,
    tally: Tally,
) -> float:
    """``count`` requests from ``clients`` threads (client ``c`` sends to ``target_of(c)``), counted
    in ``tally``; the seconds it took."""
    counter = iter(range(count))
    counter_lock = threading.Lock()
    start = threading.Barrier(clients)

    def client_loop(client_index: int) -> None:
        target = target_of(client_index)
        headers = {"X-OCR-SECRET": target.secret}
        with httpx.Client(base_url=server.base, timeout=300) as client:
            start.wait()
            while True:
                with counter_lock:
                    k = next(counter, None)
                if k is None:
                    return
                variant = pages[k % len(pages)]
                request_id = f"{phase}-{k}-{uuid.uuid4().hex[:8]}"
                began = time.perf_counter()
                try:
                    response = client.post(target.path, json=body_of(variant, request_id), headers=headers)
                except httpx.HTTPError as exc:
                    with tally.lock:
                        tally.sent += 1
                        tally.lost.append(f"{request_id}: {type(exc).__name__}")
                    continue
                elapsed_ms = 1000 * (time.perf_counter() - began)
                problem = check(response, request_id, variant)
                with tally.lock:
                    tally.sent += 1
                    tally.latencies_ms.append(elapsed_ms)
                    key = str(response.status_code)
                    if response.status_code == 400:
                        key += "/" + str(response.json().get("code"))
                    tally.statuses[key] += 1
                    if problem:
                        tally.mismatched.append(f"{request_id}: {problem}")

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client_loop, range(clients)))
    return time.perf_counter() - began


def check(response: httpx.Response, request_id: str, variant: Variant) -> str | None:
    """Why an answer is not the right one for its request, or None."""
    if response.status_code == 400 and response.json().get("code") == "0025":
        body = response.json()
        if set(body) != {"code", "message", "path", "traceId", "timestamp"}:
            return f"0025 body {body}"
        return None
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    body = response.json()
    if body.get("requestId") != request_id:
        return f"requestId {body.get('requestId')!r}"
    images = body.get("images", [])
    if [page.get("name") for page in images] != [f"page-{request_id}"]:
        return f"image name {[page.get('name') for page in images]}"
    got = [{k: v for k, v in page.items() if k != "name"} for page in comparable(images)]
    want = [{k: v for k, v in page.items() if k != "name"} for page in variant.baseline]
    if got != want:
        return f"answer differs from the baseline of template {variant.template_id}"
    return None


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests in the load phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--cap", type=int, default=8, help="TEMPLATEOCR_DOMAIN_CONCURRENCY of the server")
    parser.add_argument("--burst", type=int, default=0, help="requests past the cap (default: 3 x clients)")
    parser.add_argument("--variants", type=int, default=24, help="different filled pages")
    parser.add_argument("--width", type=int, default=620, help="page width in pixels (height: x 1.414)")
    parser.add_argument("--fields", type=int, default=3, help="areas read per template")
    parser.add_argument(
        "--max-rss-growth-mb",
        type=float,
        default=64.0,
        help="allowed growth of the median RSS from the middle third of the load phase to the last",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    args = parser.parse_args(argv)
    burst = args.burst or 3 * args.clients
    width, height = args.width, round(args.width * 1.414)

    with tempfile.TemporaryDirectory(prefix="templateocr-load-") as tmp:
        server = Server(Path(tmp) / "data", args.cap)
        try:
            _say(f"server on {server.base}; rendering {args.variants} pages")
            targets, pages = setup(server, args.variants, width, height, args.fields)
            began = time.perf_counter()
            baseline_problems = baseline(server, targets[0], pages)
            _say(f"baseline: {len(pages)} pages in {time.perf_counter() - began:.1f} s")
            rss_before = server.rss()
            processes = server.processes()
            load, cap = Tally(), Tally()
            samples: list[tuple[int, int]] = []  # (load requests answered, RSS)
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.25):
                    samples.append((load.sent, server.rss()))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            per_domain = max(1, args.clients // 2)
            # Half of the clients per domain: never more than the cap in flight on either one.
            load_s = run_phase(
                server,
                pages,
                args.requests,
                args.clients,
                lambda c: targets[0] if c < per_domain else targets[1],
                "load",
                load,
            )
            rss_after_load = server.rss()
            _say(f"load: {load.sent} requests in {load_s:.1f} s: {dict(load.statuses)}")
            cap_s = run_phase(server, pages, burst, args.clients, lambda c: targets[0], "cap", cap)
            _say(f"cap: {cap.sent} requests in {cap_s:.1f} s: {dict(cap.statuses)}")
            done.set()
            sampler.join()
            rss_after = server.rss()
        finally:
            server.stop()

    expect_no_0025 = per_domain <= args.cap
    failures = []
    if baseline_problems:
        failures.append(f"baseline: {baseline_problems[:3]}")
    for name, tally in (("load", load), ("cap", cap)):
        if tally.lost:
            failures.append(f"{name}: {len(tally.lost)} lost ({tally.lost[:2]})")
        if tally.mismatched:
            failures.append(f"{name}: {len(tally.mismatched)} wrong answers ({tally.mismatched[:2]})")
        if any(s.startswith("5") for s in tally.statuses):
            failures.append(f"{name}: server errors {dict(tally.statuses)}")
    if expect_no_0025 and load.statuses.get("200", 0) != load.sent:
        failures.append(f"load: not all 200 under the cap: {dict(load.statuses)}")
    if args.clients > args.cap and cap.statuses.get("400/0025", 0) == 0:
        failures.append("cap: the cap was exceeded but no 0025 came back")
    if set(cap.statuses) - {"200", "400/0025"}:
        failures.append(f"cap: unexpected answers {dict(cap.statuses)}")
    # Flat memory: the median RSS of the last third of the load phase is no more than that of the
    # middle third. The first third is the warm-up: 16 requests at once grow the allocator's
    # arenas and the engines' buffers once.
    third = args.requests // 3
    middle = [rss for sent, rss in samples if third < sent <= 2 * third] or [rss_before]
    last = [rss for sent, rss in samples if 2 * third < sent <= args.requests] or [rss_after_load]
    first, second = statistics.median(middle), statistics.median(last)
    growth = second - first
    step = max(1, args.requests // 10)
    if growth > args.max_rss_growth_mb * MB:
        failures.append(f"memory: the median RSS grew by {growth / MB:.0f} MB in the last third")
    report = {
        "config": {
            "requests": args.requests,
            "clients": args.clients,
            "cap": args.cap,
            "burst": burst,
            "variants": args.variants,
            "templates": len(FORMS),
            "page": [width, height],
            "cpus": os.cpu_count(),
            "server_processes": processes,
        },
        "load": load.as_dict(load_s),
        "cap": cap.as_dict(cap_s),
        "rss_mb": {
            "before": round(rss_before / MB, 1),
            "after_load": round(rss_after_load / MB, 1),
            "after_cap": round(rss_after / MB, 1),
            "median_middle_third": round(first / MB, 1),
            "median_last_third": round(second / MB, 1),
            "max_middle_third": round(max(middle) / MB, 1),
            "max_last_third": round(max(last) / MB, 1),
            "max": round(max([rss for _, rss in samples] or [rss_after]) / MB, 1),
            "growth_last_third": round(growth / MB, 1),
            "max_by_tenth_of_load": [
                round(
                    max([rss for sent, rss in samples if tenth * step < sent <= (tenth + 1) * step] or [0])
                    / MB,
                    1,
                )
                for tenth in range(10)
            ],
        },
        "failures": failures,
    }
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
