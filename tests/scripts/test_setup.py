"""``scripts/setup`` as a user without root runs it: a clear message naming what is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def test_without_root_names_the_missing_packages(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake(bin_dir, "dpkg-query", "exit 1")  # nothing is installed
    _fake(bin_dir, "id", 'if [ "$1" = "-u" ]; then echo 1000; else /usr/bin/id "$@"; fi')
    _fake(bin_dir, "sudo", "exit 1")  # no passwordless sudo
    _fake(bin_dir, "apt-get", "echo 'apt-get must not run' >&2; exit 99")
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup"), "--test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "must not run" not in done.stderr
    for package in ("tesseract-ocr-kor", "tesseract-ocr-jpn", "tesseract-ocr-chi-tra", "tesseract-ocr-eng"):
        assert package in done.stderr
    assert "fonts-noto-cjk" in done.stderr
    assert "sudo apt-get install -y --no-install-recommends" in done.stderr
