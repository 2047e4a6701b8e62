"""End to end over real HTTP: a uvicorn server with the real engines, forms rendered by
``templateocr.synth``, filled, photographed (warped) and read back through ``/infer``.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn

from templateocr.api.app import build_runtime, create_app
from templateocr.geometry import apply_homography, bbox_of
from templateocr.models.template import FieldType
from templateocr.pipeline.dropout import ink_mask
from templateocr.settings import Settings
from templateocr.synth import (
    SyntheticForm,
    build_form,
    fill_form,
    foreign_page,
    sample_values,
    to_jpeg,
    to_pdf,
    to_png,
    to_tiff,
    warp,
    warp_photo,
    warp_scan,
)

ADMIN = "e2e-admin-token-0123456789"
SECRET = "e2e-secret-0123456789"
LANGS = ("ko", "ja", "zh-TW", "en")

pytestmark = pytest.mark.slow


@dataclass
class Live:
    base: str
    client: httpx.Client
    templates: dict[tuple[str, str], dict[str, Any]]
    forms: dict[tuple[str, str], SyntheticForm]
    invoke_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, real_engines: Any) -> Iterator[Live]:
    data_dir: Path = tmp_path_factory.mktemp("e2e") / "data"
    settings = Settings(data_dir=data_dir, admin_token=ADMIN, secret=SECRET)
    runtime = build_runtime(settings, engines=real_engines, announce=lambda _m: None)
    app = create_app(settings, runtime=runtime)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    client = httpx.Client(base_url=base, timeout=120)
    admin = {"Authorization": f"Bearer {ADMIN}"}
    forms: dict[tuple[str, str], SyntheticForm] = {}
    templates: dict[tuple[str, str], dict[str, Any]] = {}
    wanted = [(lang, "application") for lang in LANGS] + [("en", "invoice"), ("en", "registration")]
    for lang, kind in wanted:
        form = build_form(lang, kind)
        response = client.post("/api/v1/templates", json=form.to_create_json(), headers=admin)
        assert response.status_code == 201, response.text
        forms[(lang, kind)] = form
        templates[(lang, kind)] = response.json()
    ids = [t["id"] for t in templates.values()]
    released = client.post("/api/v1/domains/1/releases", json={"templateIds": ids}, headers=admin)
    assert released.status_code == 200, released.text
    domain = client.get("/api/v1/domains/1", headers=admin).json()
    try:
        yield Live(base, client, templates, forms, domain["invokeUrl"])
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)


def _body(data: bytes, fmt: str, *, version: str = "V2", **image: Any) -> dict[str, Any]:
    return {
        "version": version,
        "requestId": "req-1",
        "timestamp": 1,
        "images": [{"format": fmt, "name": "page", "data": base64.b64encode(data).decode(), **image}],
    }


def _infer(live: Live, body: dict[str, Any]) -> dict[str, Any]:
    response = live.client.post("/infer", json=body, headers={"X-OCR-SECRET": SECRET})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _value_boxes(form: SyntheticForm, filled: np.ndarray) -> dict[str, tuple[float, float, float, float]]:
    """Where each filled-in value's ink lies on the unwarped form (template px)."""
    added = ink_mask(filled) & ~ink_mask(form.image)
    boxes = {}
    for field in form.definition.fields:
        left, top, right, bottom = (int(round(v)) for v in bbox_of(field.area))
        ys, xs = np.nonzero(added[top:bottom, left:right])
        if len(xs):
            boxes[field.name] = (left + xs.min(), top + ys.min(), left + xs.max(), top + ys.max())
    return boxes


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(width * height / max(smaller, 1e-9))


def _poly_box(poly: dict[str, Any]) -> tuple[float, float, float, float]:
    return bbox_of(np.array([[v["x"], v["y"]] for v in poly["vertices"]]))


def _check_page(
    image: dict[str, Any],
    form: SyntheticForm,
    values: dict[str, Any],
    filled: np.ndarray,
    homography: np.ndarray,
) -> list[str]:
    """Assert the page's shape; return the names of fields read wrongly."""
    assert image["inferResult"] == "SUCCESS", image.get("message")
    assert image["matchedTemplate"]["name"] == form.definition.name
    # Our extension: how well the page was aligned (a good photo: most print found, within ~2 px).
    alignment = image["alignment"]
    assert 0.6 <= alignment["score"] <= 1.0, alignment
    assert 0.0 < alignment["reprojectionErrorPx"] < 2.5, alignment
    assert alignment["inliers"] >= 20, alignment
    truth = _value_boxes(form, filled)
    wrong = []
    fields = {f["name"]: f for f in image["fields"]}
    assert list(fields) == [f.name for f in form.definition.fields]
    for spec in form.definition.fields:
        got = fields[spec.name]
        expected = values[spec.name]
        if spec.type is FieldType.CHECKBOX:
            assert got["checked"] is bool(expected), (spec.name, got)
            continue
        if got["inferText"] != expected:
            wrong.append(f"{spec.name}: {got['inferText']!r} != {expected!r}")
        if expected and spec.name in truth:
            true_quad = apply_homography(homography, np.array(_corners(truth[spec.name])))
            true_box = bbox_of(true_quad)
            for sub in got["subFields"]:
                if sub["inferText"]:
                    assert _overlap(_poly_box(sub["boundingPoly"]), true_box) > 0.5, (spec.name, sub)
            assert _overlap(_poly_box(got["boundingPoly"]), true_box) > 0.6, (spec.name, got["boundingPoly"])
    return wrong


def _corners(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    left, top, right, bottom = box
    return [(left, top), (right, top), (right, bottom), (left, bottom)]


@pytest.mark.parametrize("lang", LANGS)
def test_phone_photo_reads_every_field(live: Live, lang: str) -> None:
    form = live.forms[(lang, "application")]
    values = sample_values(form, seed=7)
    filled = fill_form(form, values, seed=7)
    photo = warp_photo(filled, seed=21, max_rotation=6.0, max_perspective=0.05)
    body = _body(to_jpeg(photo.image, quality=85), "jpg")
    result = _infer(live, body)
    assert result["version"] == "V2" and result["requestId"] == "req-1"
    (image,) = result["images"]
    assert image["matchedTemplate"]["id"] == live.templates[(lang, "application")]["id"]
    assert image["convertedImageInfo"]["width"] == photo.image.shape[1]
    assert image["title"]["inferText"].replace(" ", "") == form.definition.title.name.replace(" ", "")  # type: ignore[union-attr]
    wrong = _check_page(image, form, values, filled, photo.homography)
    assert not wrong, wrong
    # The invoke URL route answers the same.
    response = live.client.post(live.invoke_url, json=body, headers={"X-OCR-SECRET": SECRET})
    assert response.status_code == 200, response.text
    (again,) = response.json()["images"]
    assert [f["inferText"] for f in again["fields"]] == [f["inferText"] for f in image["fields"]]


def test_rotated_scan_through_invoke_url_multipart_v1(live: Live) -> None:
    form = live.forms[("en", "application")]
    values = sample_values(form, seed=3)
    filled = fill_form(form, values, seed=3)
    scan = warp(filled, rotation=4.0, shift=(25, -18), scale=0.85, perspective=0.03, seed=5)
    message = {
        "version": "V1",
        "requestId": "m-1",
        "timestamp": 2,
        "images": [{"format": "png", "name": "scan"}],
    }
    response = live.client.post(
        live.invoke_url,
        data={"message": json.dumps(message)},
        files={"file": ("scan.png", to_png(scan.image), "image/png")},
        headers={"X-OCR-SECRET": SECRET},
    )
    assert response.status_code == 200, response.text
    (image,) = response.json()["images"]
    assert image["inferResult"] == "SUCCESS"
    assert "convertedImageInfo" not in image
    texts = {f["name"]: f["inferText"] for f in image["fields"]}
    for spec in form.definition.fields:
        field = next(f for f in image["fields"] if f["name"] == spec.name)
        assert "bounding" in field and "boundingPoly" not in field and "subFields" not in field
        if spec.type is FieldType.CHECKBOX:
            assert field["checked"] is values[spec.name]
        else:
            assert texts[spec.name] == values[spec.name]


def test_pdf_pages_classified_among_released_templates(live: Live) -> None:
    pages = []
    expected = []
    for i, kind in enumerate(("invoice", "registration", "application")):
        form = live.forms[("en", kind)]
        pages.append(warp_scan(fill_form(form, sample_values(form, seed=30 + i), seed=i), seed=40 + i).image)
        expected.append(live.templates[("en", kind)]["id"])
    pages.append(foreign_page("en", seed=0))
    result = _infer(live, _body(to_pdf(pages), "pdf"))
    images = result["images"]
    assert [img["convertedImageInfo"]["pageIndex"] for img in images] == [0, 1, 2, 3]
    assert [img.get("matchedTemplate", {}).get("id") for img in images[:3]] == expected
    assert images[3]["inferResult"] == "FAILURE"
    assert images[3]["message"] == "NOT_FOUND: not found matched template"
    assert "alignment" not in images[3]


def test_tiff_two_languages_and_template_ids(live: Live) -> None:
    pages, forms, all_values, warps = [], [], [], []
    for i, lang in enumerate(("ja", "zh-TW")):
        form = live.forms[(lang, "application")]
        values = sample_values(form, seed=50 + i)
        filled = fill_form(form, values, seed=i)
        scanned = warp_scan(filled, seed=60 + i)
        pages.append(scanned.image)
        forms.append(form)
        all_values.append((values, filled, scanned.homography))
        warps.append(scanned)
    ids = [live.templates[("ja", "application")]["id"], live.templates[("zh-TW", "application")]["id"]]
    result = _infer(live, _body(to_tiff(pages), "tiff", templateIds=ids))
    for image, form, (values, filled, homography) in zip(result["images"], forms, all_values, strict=True):
        assert _check_page(image, form, values, filled, homography) == []
    only_ko = _infer(
        live, _body(to_tiff(pages[:1]), "tif", templateIds=live.templates[("ko", "application")]["id"])
    )
    assert only_ko["images"][0]["inferResult"] == "FAILURE"


def test_exif_orientation_is_applied(live: Live) -> None:
    form = live.forms[("en", "application")]
    values = sample_values(form, seed=12)
    filled = fill_form(form, values, seed=12)
    result = _infer(live, _body(to_jpeg(filled, quality=90, exif_orientation=6), "jpeg"))
    (image,) = result["images"]
    assert image["inferResult"] == "SUCCESS"
    assert (image["convertedImageInfo"]["width"], image["convertedImageInfo"]["height"]) == (
        form.image.shape[1],
        form.image.shape[0],
    )
    assert _check_page(image, form, values, filled, np.eye(3)) == []


def test_combine_and_validation_through_the_test_route(live: Live) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    form = live.forms[("ko", "application")]
    body = form.to_create_json()
    body["name"] = "지원서 (검증)"
    body["combine"] = {"name": "요약", "format": "{성명} / {연락처}"}
    body["validation"] = {
        "rules": [
            {"field": "연락처", "pattern": r"^0\d{1,2}-\d{3,4}-\d{4}$"},
            {"field": "지원번호", "check": "kr-business-number"},
        ]
    }
    created = live.client.post("/api/v1/templates", json=body, headers=admin)
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    values = {**sample_values(form, seed=5), "지원번호": "220-81-62517"}
    page = to_jpeg(warp_scan(fill_form(form, values, seed=5), seed=9).image, quality=90)
    response = live.client.post(
        f"/api/v1/templates/{template_id}/test", json=_body(page, "jpg"), headers=admin
    )
    assert response.status_code == 200, response.text
    (image,) = response.json()["images"]
    assert image["matchedTemplate"] == {"id": template_id, "name": "지원서 (검증)"}
    assert image["combineResult"] == {"name": "요약", "text": f"{values['성명']} / {values['연락처']}"}
    assert image["validationResult"] == {"result": "VALID"}
    values["지원번호"] = "220-81-62518"
    page = to_jpeg(warp_scan(fill_form(form, values, seed=5), seed=9).image, quality=90)
    response = live.client.post(
        f"/api/v1/templates/{template_id}/test", json=_body(page, "jpg"), headers=admin
    )
    (image,) = response.json()["images"]
    assert image["validationResult"]["result"] == "INVALID"
    assert "지원번호" in image["validationResult"]["message"]
    # never released: /infer does not know it
    released = live.client.post(
        "/infer", json=_body(page, "jpg", templateIds=template_id), headers={"X-OCR-SECRET": SECRET}
    )
    assert released.status_code == 500 and released.json()["code"] == "1021"
