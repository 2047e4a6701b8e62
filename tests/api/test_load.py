"""A bounded run of ``bench/load.py`` against a real ``templateocr serve`` on loopback: 300 requests
from 16 concurrent clients over 12 different filled pages of 4 templates, then a burst past the
per-domain cap. The full run (2,000 requests) is ``python bench/load.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
REQUESTS = 300
CLIENTS = 16
CAP = 8


def test_load_no_5xx_no_lost_or_mixed_answers_cap_answers_0025_memory_flat(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "load.py"),
            "--requests",
            str(REQUESTS),
            "--clients",
            str(CLIENTS),
            "--cap",
            str(CAP),
            "--variants",
            "12",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=480,
        cwd=REPO,
    )
    assert out.exists(), run.stderr[-3000:]
    report = json.loads(out.read_text())
    load, cap, rss = report["load"], report["cap"], report["rss_mb"]
    print(
        f"load: {load['sent']} requests, {load['statuses']}, {load['requests_per_s']} req/s, "
        f"p50 {load['latency_ms']['p50']} ms; cap: {cap['statuses']}; RSS MB {rss}"
    )
    assert report["failures"] == [], report["failures"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert load["sent"] == REQUESTS and load["statuses"] == {"200": REQUESTS}
    assert load["lost"] == 0 and load["mismatched"] == 0 and load["server_errors"] == 0
    assert cap["statuses"].get("400/0025", 0) > 0 and set(cap["statuses"]) <= {"200", "400/0025"}
    assert cap["statuses"].get("200", 0) >= CAP and cap["mismatched"] == 0 and cap["lost"] == 0
    assert rss["growth_last_third"] < 64
