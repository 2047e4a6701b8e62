"""The console's core flow in Firefox: Debian's ``firefox-esr`` driven over WebDriver BiDi by
puppeteer-core (``firefox/core_flow.mjs``), against the same real server; the stored template is
checked here.

Playwright's own Firefox is a patched build fetched by ``playwright install`` (never run), and
its BiDi channel (``moz-firefox``) needs a newer Firefox than the ESR (context creation sends
``emulation.setMediaFeaturesOverride``, which firefox-esr does not know), so this one flow runs
through puppeteer-core, installed from the lock file in ``firefox/`` by ``scripts/setup --test``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_steps import DRAWN, FORM, TITLE, field, off_by, rect, stored

from templateocr.synth import to_png

if TYPE_CHECKING:
    from conftest import Live

pytestmark = pytest.mark.slow

FIREFOX = Path("/usr/bin/firefox-esr")
HERE = Path(__file__).resolve().parent / "firefox"


def _missing() -> str | None:
    if not FIREFOX.exists():
        return f"{FIREFOX} is absent (apt-get install firefox-esr)"
    if shutil.which("node") is None:
        return "node is absent (apt-get install nodejs npm)"
    if not (HERE / "node_modules" / "puppeteer-core").is_dir():
        return f"puppeteer-core is not installed (npm ci --prefix {HERE})"
    return None


def test_sign_in_draw_save_and_reload_in_firefox(live_server: Live, tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        pytest.skip(f"{missing} - the console's Firefox test needs it")
    sample = tmp_path / "sample.png"
    sample.write_bytes(to_png(FORM.image))
    live_server.artifacts.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CONSOLE_BASE": live_server.base,
        "CONSOLE_TOKEN": live_server.admin,
        "CONSOLE_SAMPLE": str(sample),
        "CONSOLE_SAMPLE_WIDTH": str(FORM.image.shape[1]),
        "CONSOLE_AREAS": json.dumps({"title": TITLE, "fields": DRAWN}),
        "CONSOLE_SCREENSHOT": str(live_server.artifacts / "console-editor-firefox.png"),
        "FIREFOX": str(FIREFOX),
    }
    run = subprocess.run(
        ["node", str(HERE / "core_flow.mjs")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    shown = json.loads(run.stdout.strip().splitlines()[-1])
    assert shown["fields"] == list(DRAWN)

    template = stored(live_server, shown["id"])
    assert template["name"] == "Membership (Firefox)"
    assert template["title"]["name"] == "Membership Application"
    assert off_by(rect(template["title"]["boundingPoly"]), TITLE) <= 3
    assert [f["name"] for f in template["fields"]] == list(DRAWN)
    for name, box in DRAWN.items():
        assert off_by(rect(field(template, name)["boundingPoly"]), box) <= 3, name
