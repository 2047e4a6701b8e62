"""A real uvicorn server with the real engines, and Debian's chromium driven by Playwright.

The browser tests skip (with the reason) only when ``/usr/bin/chromium`` is absent; nothing is
downloaded (``playwright install`` is never run: the system chromium is launched directly).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_steps import guard_requests

from bench.processes import serve_in_thread
from templateocr.api.app import build_runtime, create_app
from templateocr.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = "console-admin-token-0123456789"
SECRET = "console-secret-0123456789"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Live:
    """The running server: its base URL and runtime."""

    base: str
    runtime: Any
    admin: str = ADMIN
    artifacts: Path = ARTIFACTS


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The server, with the real engines, on a free loopback port."""
    from templateocr.engines.registry import EngineSet

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("console") / "data", admin_token=ADMIN, secret=SECRET
    )
    runtime = build_runtime(settings, engines=EngineSet(), announce=lambda _m: None)
    with serve_in_thread(create_app(settings, runtime=runtime), timeout_s=20) as base:
        yield Live(base, runtime)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, with no network beyond the test server."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium) - the console's browser tests need it")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live_server: Live) -> Iterator[Any]:
    """A fresh 1280x800 tab that may use the clipboard; fails the test on any page error, and
    refuses and reports any request to a host other than the test server's 127.0.0.1."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    problems: list[str] = []
    guard_requests(context, problems)
    tab = context.new_page()
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.set_default_timeout(90_000)
    try:
        yield tab
    finally:
        context.close()
    assert not problems, problems
