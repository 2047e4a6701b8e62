"""``/api/v1/templates`` through the real app on a real SQLite file."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from templateocr.api.template_io import MAX_BODY_BYTES

pytestmark = pytest.mark.databases  # SQLite and PostgreSQL (tests/conftest.py)
URL = "/api/v1/templates"
Body = Callable[..., dict[str, Any]]
Headers = dict[str, str]


def count_templates(store: Any) -> int:
    return len(store.list_templates())


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


def test_create_read_list(client: TestClient, admin_headers: Headers, make_template_body: Body) -> None:
    response = client.post(URL, json=make_template_body("Invoice", ("Total", "Date")), headers=admin_headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"] == 1
    assert created["version"] == 1
    assert (created["sampleWidth"], created["sampleHeight"]) == (400, 300)
    assert created["name"] == "Invoice"
    assert [f["name"] for f in created["fields"]] == ["Total", "Date"]
    assert created["fields"][0]["valueType"] == "ALL"
    assert created["releasedTo"] == []
    assert "sample" not in created
    assert created["createdAt"].endswith(("Z", "+00:00"))
    assert response.headers["location"].endswith(f"{URL}/1")

    read = client.get(f"{URL}/1", headers=admin_headers)
    assert read.status_code == 200
    assert read.json() == created
    listed = client.get(URL, headers=admin_headers).json()
    assert listed == [created]


def test_sample_bytes_round_trip(
    client: TestClient, admin_headers: Headers, make_template_body: Body, sample_png: bytes
) -> None:
    client.post(URL, json=make_template_body(), headers=admin_headers)
    response = client.get(f"{URL}/1/sample", headers=admin_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as stored, Image.open(io.BytesIO(sample_png)) as original:
        assert stored.size == original.size
        assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(original.convert("RGB")))


def test_jpeg_sample_is_stored_as_png(
    client: TestClient, admin_headers: Headers, make_template_body: Body, make_sample: Callable[..., bytes]
) -> None:
    body = make_template_body(sample=make_sample(500, 400, "jpg"), fmt="jpg")
    created = client.post(URL, json=body, headers=admin_headers).json()
    assert (created["sampleWidth"], created["sampleHeight"]) == (500, 400)
    assert png_size(client.get(f"{URL}/1/sample", headers=admin_headers).content) == (500, 400)


def test_put_makes_versions(
    client: TestClient, admin_headers: Headers, make_template_body: Body, make_sample: Callable[..., bytes]
) -> None:
    client.post(URL, json=make_template_body("A", ("x",)), headers=admin_headers)
    second = client.put(
        f"{URL}/1", json=make_template_body("A2", ("x", "y"), sample=None), headers=admin_headers
    )
    assert second.status_code == 200, second.text
    assert second.json()["version"] == 2
    assert (second.json()["sampleWidth"], second.json()["sampleHeight"]) == (400, 300)
    third = client.put(
        f"{URL}/1", json=make_template_body("A3", ("z",), sample=make_sample(640, 480)), headers=admin_headers
    )
    assert third.json()["version"] == 3
    assert third.json()["sampleWidth"] == 640
    assert client.get(f"{URL}/1", headers=admin_headers).json()["name"] == "A3"
    old = client.get(f"{URL}/1", params={"version": 2}, headers=admin_headers).json()
    assert (old["name"], old["version"]) == ("A2", 2)
    assert png_size(client.get(f"{URL}/1/sample", headers=admin_headers).content) == (640, 480)
    assert png_size(client.get(f"{URL}/1/sample?version=1", headers=admin_headers).content) == (400, 300)
    assert client.get(f"{URL}/1/sample?version=9", headers=admin_headers).status_code == 404
    assert client.get(f"{URL}/1?version=0", headers=admin_headers).status_code == 422


def test_released_to_shows_released_version(
    client: TestClient, admin_headers: Headers, make_template_body: Body
) -> None:
    client.post(URL, json=make_template_body(), headers=admin_headers)
    client.post("/api/v1/domains/1/releases", json={"templateIds": [1]}, headers=admin_headers)
    client.put(f"{URL}/1", json=make_template_body(sample=None), headers=admin_headers)
    body = client.get(f"{URL}/1", headers=admin_headers).json()
    assert body["version"] == 2
    assert body["releasedTo"] == [{"domainId": 1, "version": 1}]


def test_delete_and_ids_are_not_reused(
    client: TestClient, admin_headers: Headers, make_template_body: Body
) -> None:
    for name in ("A", "B"):
        client.post(URL, json=make_template_body(name), headers=admin_headers)
    client.post("/api/v1/domains/1/releases", json={"templateIds": [1, 2]}, headers=admin_headers)
    deleted = client.delete(f"{URL}/2", headers=admin_headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get(f"{URL}/2", headers=admin_headers).status_code == 404
    assert client.delete(f"{URL}/2", headers=admin_headers).status_code == 404
    domain = client.get("/api/v1/domains/1", headers=admin_headers).json()
    assert [r["templateId"] for r in domain["releases"]] == [1]
    created = client.post(URL, json=make_template_body("C"), headers=admin_headers).json()
    assert created["id"] == 3


def test_multipart_create(
    client: TestClient, admin_headers: Headers, make_template_body: Body, sample_png: bytes
) -> None:
    definition = make_template_body("Multi", ("Name",), sample=None)
    response = client.post(
        URL,
        data={"definition": json.dumps(definition)},
        files={"sample": ("form.png", sample_png, "image/png")},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Multi"
    assert response.json()["sampleWidth"] == 400


def test_multipart_sniffs_format_and_takes_page_index(
    client: TestClient, admin_headers: Headers, make_template_body: Body, make_sample: Callable[..., bytes]
) -> None:
    frames = [Image.open(io.BytesIO(make_sample(w, 300))) for w in (400, 420)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    definition = make_template_body("Tiff", ("Name",), sample=None)
    definition["sample"] = {"pageIndex": 1}
    response = client.post(
        URL,
        data={"definition": json.dumps(definition)},
        files={"sample": ("upload.bin", buffer.getvalue(), "application/octet-stream")},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["sampleWidth"] == 420


def test_multipart_put_without_sample_keeps_it(
    client: TestClient, admin_headers: Headers, make_template_body: Body
) -> None:
    client.post(URL, json=make_template_body(), headers=admin_headers)
    definition = make_template_body("Renamed", sample=None)
    response = client.put(
        f"{URL}/1", files={"definition": (None, json.dumps(definition))}, headers=admin_headers
    )
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["version"], response.json()["sampleWidth"]) == (
        "Renamed",
        2,
        400,
    )


def test_form_definition_may_carry_base64_sample(
    client: TestClient, admin_headers: Headers, make_template_body: Body, make_sample: Callable[..., bytes]
) -> None:
    embedded = client.post(
        URL, files={"definition": (None, json.dumps(make_template_body()))}, headers=admin_headers
    )
    assert embedded.status_code == 201, embedded.text
    assert embedded.json()["sampleWidth"] == 400
    # a file part wins over the embedded sample
    response = client.post(
        URL,
        data={"definition": json.dumps(make_template_body())},
        files={"sample": ("big.jpg", make_sample(600, 500, "jpg"), "image/jpeg")},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    assert (response.json()["sampleWidth"], response.json()["sampleHeight"]) == (600, 500)


def test_urlencoded_put(client: TestClient, admin_headers: Headers, make_template_body: Body) -> None:
    client.post(URL, json=make_template_body(), headers=admin_headers)
    definition = json.dumps(make_template_body("Urlencoded", sample=None))
    response = client.put(f"{URL}/1", data={"definition": definition}, headers=admin_headers)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["version"]) == ("Urlencoded", 2)


def test_export_import_round_trip(
    client: TestClient, admin_headers: Headers, make_template_body: Body
) -> None:
    body = make_template_body("Export me", ("One", "Two"))
    body["fields"][1].update({"type": "CHECKBOX", "checkbox": {"checkedText": "Y", "uncheckedText": "N"}})
    body["combine"] = {"name": "Both", "format": "{One}-{Two}"}
    client.post(URL, json=body, headers=admin_headers)
    exported = client.get(f"{URL}/1/export", headers=admin_headers)
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["sample"]["format"] == "png"
    imported = client.post(URL, json=data, headers=admin_headers)
    assert imported.status_code == 201, imported.text
    first = client.get(f"{URL}/1", headers=admin_headers).json()
    second = imported.json()
    volatile = {"id", "createdAt", "updatedAt", "releasedTo"}
    assert {k: v for k, v in second.items() if k not in volatile} == {
        k: v for k, v in first.items() if k not in volatile
    }
    assert second["fields"][1]["checkbox"] == {"checkedText": "Y", "uncheckedText": "N"}
    one = client.get(f"{URL}/1/sample", headers=admin_headers).content
    two = client.get(f"{URL}/{second['id']}/sample", headers=admin_headers).content
    assert one == two


# refusals: each answers a readable detail and stores nothing ---------------------------
def _bad_area(body: dict[str, Any]) -> None:
    body["fields"][0]["boundingPoly"] = {
        "vertices": [{"x": 300, "y": 250}, {"x": 450, "y": 250}, {"x": 450, "y": 290}, {"x": 300, "y": 290}]
    }


def _duplicate(body: dict[str, Any]) -> None:
    body["fields"][1]["name"] = body["fields"][0]["name"]


def _no_sample(body: dict[str, Any]) -> None:
    del body["sample"]


def _bad_base64(body: dict[str, Any]) -> None:
    body["sample"]["data"] = "not base64!!"


def _undecodable(body: dict[str, Any]) -> None:
    body["sample"]["data"] = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20).decode()


def _wrong_format(body: dict[str, Any]) -> None:
    body["sample"]["format"] = "jpg"


def _unknown_format(body: dict[str, Any]) -> None:
    body["sample"]["format"] = "gif"


def _no_fields(body: dict[str, Any]) -> None:
    body["fields"] = []


def _unknown_key(body: dict[str, Any]) -> None:
    body["colour"] = "red"


def _concave(body: dict[str, Any]) -> None:
    body["fields"][0]["boundingPoly"] = {
        "vertices": [{"x": 20, "y": 60}, {"x": 100, "y": 60}, {"x": 30, "y": 70}, {"x": 20, "y": 90}]
    }


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (_bad_area, "outside the 400x300 sample"),
        (_duplicate, "duplicate field name 'Name'"),
        (_no_sample, "needs a sample"),
        (_bad_base64, "base64"),
        (_undecodable, "sample"),
        (_wrong_format, "declared 'jpg'"),
        (_unknown_format, "unsupported format 'gif'"),
        (_no_fields, "fields"),
        (_unknown_key, "colour"),
        (_concave, "convex"),
    ],
)
def test_create_refusals_store_nothing(
    client: TestClient,
    admin_headers: Headers,
    make_template_body: Body,
    store: Any,
    mutate: Callable[[dict[str, Any]], None],
    needle: str,
) -> None:
    body = make_template_body()
    mutate(body)
    response = client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert needle in detail
    assert count_templates(store) == 0


def test_put_refusals_keep_the_version(
    client: TestClient, admin_headers: Headers, make_template_body: Body, store: Any
) -> None:
    client.post(URL, json=make_template_body(), headers=admin_headers)
    bad = make_template_body(sample=None)
    _bad_area(bad)
    response = client.put(f"{URL}/1", json=bad, headers=admin_headers)
    assert response.status_code == 422
    assert "outside" in response.json()["detail"]
    assert client.put(f"{URL}/9", json=make_template_body(), headers=admin_headers).status_code == 404
    assert store.get_template(1).version == 1


def test_malformed_bodies(client: TestClient, admin_headers: Headers, store: Any) -> None:
    not_json = client.post(
        URL, content=b"{nope", headers={**admin_headers, "content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert "JSON" in not_json.json()["detail"]
    text = client.post(URL, content=b"hello", headers={**admin_headers, "content-type": "text/plain"})
    assert text.status_code == 415
    no_definition = client.post(URL, files={"sample": ("a.png", b"x", "image/png")}, headers=admin_headers)
    assert no_definition.status_code == 422
    assert "definition" in no_definition.json()["detail"]
    bad_definition = client.post(
        URL, data={"definition": "[1]"}, headers=admin_headers, files={"sample": ("a.png", b"x", "image/png")}
    )
    assert bad_definition.status_code == 422
    assert count_templates(store) == 0


def test_multipart_refusals_store_nothing(
    client: TestClient, admin_headers: Headers, make_template_body: Body, store: Any
) -> None:
    definition = make_template_body(sample=None)
    missing = client.post(URL, data={"definition": json.dumps(definition)}, headers=admin_headers)
    assert missing.status_code == 422
    assert "needs a sample" in missing.json()["detail"]
    garbage = client.post(
        URL,
        data={"definition": json.dumps(definition)},
        files={"sample": ("form.png", b"not an image at all", "image/png")},
        headers=admin_headers,
    )
    assert garbage.status_code == 422
    assert "sample" in garbage.json()["detail"]
    assert count_templates(store) == 0


def test_body_over_limit_is_413(client: TestClient, admin_headers: Headers, store: Any) -> None:
    response = client.post(
        URL,
        content=b"{" + b" " * 16 + b"}",
        headers={
            **admin_headers,
            "content-type": "application/json",
            "content-length": str(MAX_BODY_BYTES + 1),
        },
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert count_templates(store) == 0


@pytest.mark.anyio
async def test_streamed_body_over_limit_is_413(
    async_client: httpx.AsyncClient, admin_headers: Headers
) -> None:
    async def chunks() -> Any:
        chunk = b" " * (4 * 1024 * 1024)
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = await async_client.post(
        URL, content=chunks(), headers={**admin_headers, "content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", URL),
        ("POST", URL),
        ("GET", f"{URL}/1"),
        ("PUT", f"{URL}/1"),
        ("DELETE", f"{URL}/1"),
        ("GET", f"{URL}/1/sample"),
        ("GET", f"{URL}/1/export"),
    ],
)
def test_auth_required(client: TestClient, headers: Headers, method: str, path: str) -> None:
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert response.headers.get("www-authenticate") == "Bearer"


def test_not_found(client: TestClient, admin_headers: Headers) -> None:
    for path in (f"{URL}/5", f"{URL}/5/sample", f"{URL}/5/export"):
        response = client.get(path, headers=admin_headers)
        assert response.status_code == 404
        assert "template 5" in response.json()["detail"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operations = {
        op["operationId"]: (path, method)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    expected = {
        "templates-create",
        "templates-list",
        "templates-get",
        "templates-replace",
        "templates-delete",
        "templates-sample",
        "templates-export",
    }
    assert expected <= set(operations)
    create = schema["paths"][URL]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"]
    assert "413" in create["responses"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TemplateOut"
    )
