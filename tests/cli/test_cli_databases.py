"""The command line on each database the store supports (``TEMPLATEOCR_DATABASE_URL``)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image


def _rect(x: int, y: int, w: int, h: int) -> dict[str, object]:
    return {
        "vertices": [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h}, {"x": x, "y": y + h}]
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "templateocr", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize(
    ("database_url", "scheme"),
    [("sqlite", "sqlite"), ("postgresql", "postgresql"), ("postgresql", "postgresql+psycopg")],
    indirect=["database_url"],
)
def test_templates_on_the_configured_database(tmp_path: Path, database_url: str, scheme: str) -> None:
    url = database_url.replace("postgresql://", f"{scheme}://", 1)
    env = {**os.environ, "TEMPLATEOCR_DATA_DIR": str(tmp_path / "data"), "TEMPLATEOCR_DATABASE_URL": url}
    env.pop("TEMPLATEOCR_ADMIN_TOKEN", None)
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buffer, format="PNG")
    sample = tmp_path / "sample.png"
    sample.write_bytes(buffer.getvalue())
    definition = tmp_path / "form.json"
    definition.write_text(
        json.dumps(
            {
                "name": "Stored",
                "lang": "en",
                "fields": [{"name": "Name", "boundingPoly": _rect(20, 60, 300, 30)}],
            }
        ),
        encoding="utf-8",
    )
    created = _run(env, "templates", "create", str(definition), "--sample", str(sample))
    assert "created template 1" in created.stdout
    assert "admin token" in created.stderr  # generated once, on the first start of this database
    listed = _run(env, "templates", "list")
    assert listed.stdout.startswith("1\tStored\tlang=en\tversion=1")
    assert "admin token" not in listed.stderr
    if not database_url.startswith("sqlite"):
        assert not (tmp_path / "data" / "templateocr.sqlite3").exists()
