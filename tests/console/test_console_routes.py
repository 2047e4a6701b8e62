"""The console's routes over HTTP: the page and its files, and the admin-only helper endpoints."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import httpx
from PIL import Image

from templateocr.synth import build_form, to_pdf

if TYPE_CHECKING:
    from conftest import Live


def test_page_and_static_files_are_served_without_leaving_static(live_server: Live) -> None:
    with httpx.Client(base_url=live_server.base) as client:
        page = client.get("/console")
        assert page.status_code == 200 and "app.js" in page.text
        script = client.get("/console/static/app.js")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        for bad in (
            "/console/static/../suggest.py",
            "/console/static/%2e%2e/suggest.py",
            "/console/static/nope.js",
        ):
            assert client.get(bad).status_code == 404, bad


def test_preview_and_suggest_need_the_admin_token(live_server: Live) -> None:
    pdf = to_pdf([build_form("en", "invoice").image])
    files = {"file": ("form.pdf", pdf, "application/pdf")}
    with httpx.Client(base_url=live_server.base, timeout=60) as client:
        assert client.post("/api/v1/samples/preview", files=files).status_code == 401
        assert client.post("/api/v1/templates/suggest", files=files).status_code == 401
        admin = {"Authorization": f"Bearer {live_server.admin}"}
        shown = client.post("/api/v1/samples/preview", files=files, headers=admin)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(shown.content))
        assert image.size == (int(shown.headers["X-Image-Width"]), int(shown.headers["X-Image-Height"]))
        refused = client.post(
            "/api/v1/samples/preview", files={"file": ("x.png", b"not an image", "image/png")}, headers=admin
        )
        assert refused.status_code == 422 and "detail" in refused.json()
