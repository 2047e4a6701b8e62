"""The server side of ``bench/speed.py``: ``templateocr serve`` in a subprocess (models warmed at
start, as in production), templates created through the admin API, timed ``/infer`` calls,
concurrent clients, and the resident memory of each worker process.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.processes import free_port, wait_healthy  # noqa: E402

ADMIN = "speed-bench-admin-token-0123456789"
SECRET = "speed-bench-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            text = (task / "children").read_text().split()
            found.extend(int(child) for child in text)
    except OSError:
        return found
    return found


@dataclass
class Server:
    """One ``templateocr serve`` process and an HTTP client to it."""

    data_dir: Path
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None
    base: str = ""
    started_s: float = 0.0
    template_ids: dict[str, int] = field(default_factory=dict)

    def start(self) -> None:
        port = free_port()
        env = {
            **os.environ,
            "TEMPLATEOCR_DATA_DIR": str(self.data_dir),
            "TEMPLATEOCR_ADMIN_TOKEN": ADMIN,
            "TEMPLATEOCR_SECRET": SECRET,
            # concurrency is the clients' to choose here, not the per-domain cap's
            "TEMPLATEOCR_DOMAIN_CONCURRENCY": "64",
        }
        env.pop("TEMPLATEOCR_DATABASE_URL", None)
        begin = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "templateocr",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(self.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_healthy(self.process, self.base)
        self.started_s = time.perf_counter() - begin

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """The processes that serve and read: the server (or its uvicorn workers) and their compute
        processes; the supervisor and multiprocessing's small helpers (under 60 MiB) are left out."""
        assert self.process is not None
        tree, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(_children(pid))
        return [pid for pid in tree if rss_mb(pid) >= 60]

    def worker_cpu_s(self) -> float:
        """CPU seconds used so far by all the worker processes together."""
        return sum(cpu_s(pid) for pid in self.worker_pids())

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]

    def create_templates(self, forms: dict[str, Any]) -> None:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=self.base, timeout=120) as client:
            for lang, form in forms.items():
                made = client.post("/api/v1/templates", json=form.to_create_json(), headers=admin)
                made.raise_for_status()
                self.template_ids[lang] = int(made.json()["id"])
            released = client.post(
                "/api/v1/domains/1/releases",
                json={"templateIds": list(self.template_ids.values())},
                headers=admin,
            )
            released.raise_for_status()


def infer_body(b64: str, fmt: str = "jpg") -> dict[str, Any]:
    return {
        "version": "V2",
        "requestId": "bench",
        "timestamp": 1,
        "images": [{"format": fmt, "name": "page", "data": b64}],
    }


def infer(client: httpx.Client, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """One ``/infer`` call: seconds and the response (raises on anything but 200)."""
    start = time.perf_counter()
    response = client.post("/infer", json=body, headers={"X-OCR-SECRET": SECRET})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"/infer answered {response.status_code}: {response.text[:300]}")
    result: dict[str, Any] = response.json()
    return elapsed, result


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency(server: Server, body: dict[str, Any], count: int) -> dict[str, float]:
    """p50/p95/mean ms of ``count`` sequential requests with one client, and server CPU ms each."""
    with httpx.Client(base_url=server.base, timeout=300) as client:
        cpu = server.worker_cpu_s()
        samples = [infer(client, body)[0] for _ in range(count)]
        cpu = server.worker_cpu_s() - cpu
    return {
        "server_cpu_ms": 1000 * cpu / count,
        "p50_ms": 1000 * statistics.median(samples),
        "p95_ms": 1000 * percentile(samples, 0.95),
        "mean_ms": 1000 * statistics.fmean(samples),
        "n": float(count),
    }


def throughput(
    server: Server,
    bodies: Sequence[dict[str, Any]],
    clients: int,
    total: int,
    on_request: Any = None,
) -> dict[str, float]:
    """Pages per second with ``clients`` concurrent clients sending ``total`` requests in all."""
    lock = threading.Lock()
    sent = [0]
    errors: list[BaseException] = []

    def client_loop() -> None:
        with httpx.Client(base_url=server.base, timeout=300) as client:
            while True:
                with lock:
                    if sent[0] >= total or errors:
                        return
                    n = sent[0]
                    sent[0] += 1
                try:
                    infer(client, bodies[n % len(bodies)])
                except BaseException as exc:  # reported after the run
                    with lock:
                        errors.append(exc)
                    return
                if on_request is not None:
                    on_request(n + 1)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    cpu, own = server.worker_cpu_s(), time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu, own = server.worker_cpu_s() - cpu, time.process_time() - own
    if errors:
        raise RuntimeError(f"a request failed: {errors[0]}")
    return {
        "clients": float(clients),
        "requests": float(total),
        "seconds": elapsed,
        "pages_per_s": total / elapsed,
        "server_cpu_ms_per_page": 1000 * cpu / total,
        "server_cpu_busy": cpu / elapsed,
        # the clients run on the same machine: with the server, how many of its cores were busy
        "client_cpu_busy": own / elapsed,
    }
