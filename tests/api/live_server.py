"""A real ``templateocr serve`` process for the hostile-input, fault and load tests.

``start_serve(data_dir, **env)`` starts ``python -m templateocr serve`` on a free loopback port
with ``TEMPLATEOCR_*`` settings from ``env`` (``max_pages=3`` -> ``TEMPLATEOCR_MAX_PAGES=3``) and
waits for ``/healthz``; :class:`ServeProcess` reads its resident memory from ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from bench.processes import free_port, process_tree
from bench.processes import rss_bytes as vm_rss

ADMIN_TOKEN = "live-admin-token-0123456789"
SECRET = "live-domain-secret-0123456789"

T = TypeVar("T")


@dataclass
class ServeProcess:
    """A running server process."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def rss(self) -> int:
        """Resident memory now, in bytes: ``VmRSS`` of the server and every process under it (its
        compute processes)."""
        return sum(vm_rss(pid) for pid in process_tree(self.process.pid))

    def max_rss_during(self, action: Callable[[], T], every_s: float = 0.01) -> tuple[T, int]:
        """Run ``action`` while sampling ``VmRSS``: its result and the most RSS seen, in bytes."""
        seen = [self.rss()]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                with contextlib.suppress(OSError, RuntimeError):
                    seen.append(self.rss())
                done.wait(every_s)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            result = action()
        finally:
            done.set()
            sampler.join()
        return result, max(seen)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``sig`` and wait for the exit status (SIGKILL after ``timeout``)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return int(self.process.returncode)


def start_serve(data_dir: Path, *, timeout: float = 60.0, **settings: object) -> ServeProcess:
    """Start ``templateocr serve`` with its data in ``data_dir`` and wait until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "TEMPLATEOCR_DATA_DIR": str(data_dir),
        "TEMPLATEOCR_ADMIN_TOKEN": ADMIN_TOKEN,
        "TEMPLATEOCR_SECRET": SECRET,
        "TEMPLATEOCR_PORT": str(port),
        "TEMPLATEOCR_HOST": "127.0.0.1",
    }
    env.pop("TEMPLATEOCR_DATABASE_URL", None)
    env.update({f"TEMPLATEOCR_{key.upper()}": str(value) for key, value in settings.items()})
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "templateocr", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = ServeProcess(process, port, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"templateocr serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.base}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop(signal.SIGKILL)
            raise RuntimeError(f"templateocr serve did not answer in {timeout:g} s:\n{server.log()}")
        time.sleep(0.1)
