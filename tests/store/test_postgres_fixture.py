"""The test suite's PostgreSQL fixture: without the binaries it skips locally and fails in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _pytest_without_postgres(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEMPLATEOCR_TEST_PG_BIN": str(tmp_path / "no-postgres-here")}
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    target = f"{TESTS / 'store' / 'test_sql.py'}::test_settings"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-rs", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=TESTS.parent,
    )


@pytest.mark.parametrize("ci", [None, "true"])
def test_missing_postgres_skips_only_outside_ci(tmp_path: Path, ci: str | None) -> None:
    done = _pytest_without_postgres(tmp_path, ci)
    if ci is None:
        assert done.returncode == 0, done.stdout
        assert "1 passed, 1 skipped" in done.stdout and "PostgreSQL unavailable" in done.stdout
    else:
        assert done.returncode == 1, done.stdout
        assert "1 failed, 1 passed" in done.stdout or "1 passed, 1 error" in done.stdout, done.stdout
        assert "PostgreSQL is needed in CI" in done.stdout
