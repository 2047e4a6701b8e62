"""Steps the console's browser tests share: sign in, open a sample, draw and drag in sample pixels,
read back what the server stored."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from numpy.typing import NDArray

from templateocr.synth import build_form, to_png

if TYPE_CHECKING:
    from conftest import Live

FORM = build_form("en", "application")
TITLE = (174, 85, 1066, 163)
DRAWN = {"Name": (306, 256, 904, 328), "Phone": (306, 424, 904, 496), "Address": (306, 760, 1144, 832)}
Box = tuple[float, float, float, float]


def sign_in(page: Any, live: Live, token: str | None = None) -> None:
    page.goto(f"{live.base}/console")
    page.get_by_label("Admin token").fill(token or live.admin)
    page.get_by_role("button", name="Sign in").click()
    if token is None:
        page.wait_for_selector("#nav:not([hidden])")


def upload_sample(page: Any, tmp_path: Path) -> None:
    """Open a new template and load the blank application form as its sample."""
    sample = tmp_path / "sample.png"
    sample.write_bytes(to_png(FORM.image))
    page.goto(page.url.split("#")[0] + "#/edit/new")
    page.set_input_files("#sample-file", str(sample))
    page.wait_for_selector(".stage .canvas img[src^='blob:']")
    page.wait_for_function("document.querySelector('.stage img').complete")


def view(page: Any) -> dict[str, float]:
    """Where the sample sits on screen: its left, top and scale (screen px per sample px)."""
    frame = page.locator(".stage .canvas img").bounding_box()
    return {"x": frame["x"], "y": frame["y"], "scale": frame["width"] / FORM.image.shape[1]}


def to_client(page: Any, x: float, y: float) -> tuple[float, float]:
    """The screen point over sample pixel (x, y); it must lie inside the stage."""
    shown = view(page)
    cx, cy = shown["x"] + x * shown["scale"], shown["y"] + y * shown["scale"]
    stage = page.locator(".stage").bounding_box()
    inside = stage["x"] < cx < stage["x"] + stage["width"] and stage["y"] < cy < stage["y"] + stage["height"]
    assert inside, f"sample point {(x, y)} is off the stage at {(cx, cy)} ({stage})"
    return cx, cy


def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press at ``start`` and release at ``end`` (sample pixels, taken to whole screen pixels, as
    mouse events carry them), moving in steps."""
    x0, y0 = (round(v) for v in to_client(page, *start))
    x1, y1 = (round(v) for v in to_client(page, *end))
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def draw(page: Any, box: Box) -> None:
    """Drag from the box's top-left to its bottom-right corner (sample pixels)."""
    drag(page, (box[0], box[1]), (box[2], box[3]))


def shape_box(page: Any, index: int) -> Box:
    """Where field ``index``'s rectangle is drawn on screen, mapped back to sample pixels through
    where the image is shown (so the overlay and the image must agree)."""
    shown = view(page)
    corners = page.locator(f"svg rect.shape[data-kind='field'][data-index='{index}']").evaluate(
        """node => {
          const b = node.getBBox();
          const m = node.getScreenCTM();
          const x = (v) => v * m.a + m.e;
          const y = (v) => v * m.d + m.f;
          return [x(b.x), y(b.y), x(b.x + b.width), y(b.y + b.height)];
        }"""
    )
    s = shown["scale"]
    return (
        (corners[0] - shown["x"]) / s,
        (corners[1] - shown["y"]) / s,
        (corners[2] - shown["x"]) / s,
        (corners[3] - shown["y"]) / s,
    )


def model_box(page: Any, index: int) -> Box:
    """Field ``index``'s rectangle as the editor holds it (its SVG attributes, in sample pixels)."""
    x, y, w, h = page.locator(f"svg rect.shape[data-kind='field'][data-index='{index}']").evaluate(
        "node => ['x', 'y', 'width', 'height'].map((k) => Number(node.getAttribute(k)))"
    )
    return (x, y, x + w, y + h)


def save_new(page: Any) -> int:
    """Save a new template; its id (the console moves to its page)."""
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"#/edit/\d+$"))
    page.wait_for_selector("text=version 1")
    return int(page.url.rsplit("/", 1)[1])


def api(live: Live) -> httpx.Client:
    return httpx.Client(base_url=live.base, headers={"Authorization": f"Bearer {live.admin}"}, timeout=60)


def stored(live: Live, template_id: int) -> dict[str, Any]:
    with api(live) as client:
        response = client.get(f"/api/v1/templates/{template_id}")
        response.raise_for_status()
        return dict(response.json())


def rect(poly: dict[str, Any]) -> Box:
    xs = [v["x"] for v in poly["vertices"]]
    ys = [v["y"] for v in poly["vertices"]]
    return (min(xs), min(ys), max(xs), max(ys))


def off_by(a: Box, b: Box) -> float:
    return max(abs(p - q) for p, q in zip(a, b, strict=True))


def field(template: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in template["fields"] if f["name"] == name)


def create_template(live: Live, name: str) -> int:
    """The whole application form as a template, through the API (for views that need one)."""
    definition = FORM.to_create_json()
    definition["name"] = name
    with api(live) as client:
        response = client.post("/api/v1/templates", json=definition)
        response.raise_for_status()
        return int(response.json()["id"])


def infer_body(image: NDArray[np.uint8]) -> dict[str, Any]:
    data = base64.b64encode(to_png(image)).decode()
    return {
        "version": "V2",
        "requestId": "r",
        "timestamp": 0,
        "images": [{"format": "png", "name": "p", "data": data}],
    }


def guard_requests(context: Any, problems: list[str]) -> None:
    """Route every request of ``context``: one to any host but 127.0.0.1 is refused and noted."""

    def check(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"external request: {route.request.url}")
            route.abort()

    context.route("**/*", check)
