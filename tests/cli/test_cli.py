"""The command line as a user runs it: a real subprocess on a real data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from templateocr.synth import build_form, fill_form, sample_values, to_png, warp_scan


def _run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEMPLATEOCR_DATA_DIR": str(data_dir), "TEMPLATEOCR_SECRET": "cli-secret-123"}
    env.pop("TEMPLATEOCR_DATABASE_URL", None)
    env.pop("TEMPLATEOCR_ADMIN_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "templateocr", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_templates_lifecycle_and_infer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    form = build_form("en", "application")
    definition = tmp_path / "form.json"
    definition.write_text(json.dumps(form.to_create_json()), encoding="utf-8")

    created = _run(data, "templates", "create", str(definition))
    assert "created template 1" in created.stdout
    assert "admin token" in created.stderr  # generated at the first start, shown once
    assert (data.stat().st_mode & 0o777) == 0o700
    again = _run(data, "templates", "list")
    assert "admin token" not in again.stderr
    assert again.stdout.startswith("1\tMembership Application\tlang=en\tversion=1\tfields=10")

    shown = json.loads(_run(data, "templates", "show", "1").stdout)
    assert shown["id"] == 1 and [f["name"] for f in shown["fields"]] == [
        f.name for f in form.definition.fields
    ]

    exported = tmp_path / "export.json"
    _run(data, "templates", "export", "1", "--out", str(exported))
    assert "created template 2" in _run(data, "templates", "import", str(exported)).stdout

    assert "released [1] to domain 1" in _run(data, "templates", "release", "1").stdout
    domains = _run(data, "domains").stdout
    assert domains.startswith("1\tdefault\t") and "released=[1]" in domains

    values = sample_values(form, seed=2)
    page = tmp_path / "scan.png"
    page.write_bytes(to_png(warp_scan(fill_form(form, values), seed=4).image))
    result = json.loads(_run(data, "infer", str(page)).stdout)
    (image,) = result["images"]
    assert image["inferResult"] == "SUCCESS" and image["matchedTemplate"]["id"] == 1
    texts = {f["name"]: f["inferText"] for f in image["fields"]}
    assert texts["Name"] == values["Name"]
    v1 = json.loads(_run(data, "infer", str(page), "--template", "2", "--v1").stdout)
    assert v1["version"] == "V1" and "bounding" in v1["images"][0]["fields"][0]


def test_errors_are_messages_with_exit_codes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = _run(data, "templates", "show", "42", check=False)
    assert missing.returncode == 3 and "templateocr:" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "fields": []}), encoding="utf-8")
    refused = _run(data, "templates", "create", str(bad), check=False)
    assert refused.returncode == 2 and "fields" in refused.stderr
    unknown = _run(data, "infer", str(tmp_path / "page.gif"), check=False)
    assert unknown.returncode == 2
    assert _run(data, "db", "upgrade").stdout.strip() == "database is at the newest schema"


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version(tmp_path: Path, flag: str) -> None:
    assert "templateocr" in _run(tmp_path, flag).stdout


def test_serve_starts_listens_and_stops(tmp_path: Path) -> None:
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "TEMPLATEOCR_DATA_DIR": str(tmp_path / "data"),
        "TEMPLATEOCR_ADMIN_TOKEN": "serve-token-1234",
    }
    env.pop("TEMPLATEOCR_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "templateocr", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not answer"
            time.sleep(0.25)
        listed = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/domains", headers={"Authorization": "Bearer serve-token-1234"}
        )
        assert listed.status_code == 200 and listed.json()[0]["id"] == 1
        assert (tmp_path / "data" / "templateocr.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
