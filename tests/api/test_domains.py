"""``/api/v1/domains`` through the real app on a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.databases  # SQLite and PostgreSQL (tests/conftest.py)
URL = "/api/v1/domains"
Headers = dict[str, str]


def test_default_domain_exists(client: TestClient, admin_headers: Headers, domain_secret: str) -> None:
    response = client.get(URL, headers=admin_headers)
    assert response.status_code == 200
    [domain] = response.json()
    assert (domain["id"], domain["name"], domain["lang"]) == (1, "default", "ko")
    assert domain["secret"] == domain_secret
    assert domain["releases"] == []
    assert domain["invokeUrl"] == f"http://testserver/custom/v1/1/{domain['invokeKey']}/infer"
    assert domain["createdAt"]


def test_create_and_read(client: TestClient, admin_headers: Headers) -> None:
    response = client.post(URL, json={"name": "  Partner  ", "lang": "zh-TW"}, headers=admin_headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["id"], created["name"], created["lang"]) == (2, "Partner", "zh-TW")
    assert created["invokeUrl"].endswith(f"/custom/v1/2/{created['invokeKey']}/infer")
    assert client.get(f"{URL}/2", headers=admin_headers).json() == created
    defaulted = client.post(URL, json={"name": "Third"}, headers=admin_headers).json()
    assert (defaulted["id"], defaulted["lang"]) == (3, "ko")
    assert len({created["invokeKey"], defaulted["invokeKey"]}) == 2
    assert [d["id"] for d in client.get(URL, headers=admin_headers).json()] == [1, 2, 3]


def test_invoke_url_follows_the_request_base(app: Any, admin_headers: Headers) -> None:
    with TestClient(app, base_url="https://ocr.example.com:8443") as other:
        domain = other.get(f"{URL}/1", headers=admin_headers).json()
    assert domain["invokeUrl"].startswith("https://ocr.example.com:8443/custom/v1/1/")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x", "lang": "fr"},
        {"name": "x", "extra": 1},
        {"name": "x" * 201},
    ],
)
def test_create_refusals(client: TestClient, admin_headers: Headers, body: dict[str, Any]) -> None:
    response = client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert len(client.get(URL, headers=admin_headers).json()) == 1


def test_rotate_secret(client: TestClient, admin_headers: Headers, domain_secret: str, store: Any) -> None:
    response = client.post(f"{URL}/1/secret", headers=admin_headers)
    assert response.status_code == 200
    secret = response.json()["secret"]
    assert secret != domain_secret
    assert len(secret) >= 32
    assert store.get_domain(1).secret == secret
    assert client.get(f"{URL}/1", headers=admin_headers).json()["secret"] == secret
    assert client.post(f"{URL}/9/secret", headers=admin_headers).status_code == 404


def test_release_and_withdraw(
    client: TestClient, admin_headers: Headers, create_template: Callable[..., dict[str, Any]], store: Any
) -> None:
    first = create_template("First", release=False)
    second = create_template("Second", release=False)
    response = client.post(
        f"{URL}/1/releases", json={"templateIds": [second["id"], first["id"]]}, headers=admin_headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["releases"] == [
        {"templateId": first["id"], "version": 1, "name": "First"},
        {"templateId": second["id"], "version": 1, "name": "Second"},
    ]
    assert [t.id for t in store.released_templates(1)] == [first["id"], second["id"]]

    withdrawn = client.delete(f"{URL}/1/releases/{first['id']}", headers=admin_headers)
    assert withdrawn.status_code == 200
    assert [r["templateId"] for r in withdrawn.json()["releases"]] == [second["id"]]
    again = client.delete(f"{URL}/1/releases/{first['id']}", headers=admin_headers)
    assert again.status_code == 404
    assert "not released" in again.json()["detail"]


def test_release_keeps_the_released_version_until_released_again(
    client: TestClient,
    admin_headers: Headers,
    create_template: Callable[..., dict[str, Any]],
    make_template_body: Callable[..., dict[str, Any]],
) -> None:
    created = create_template("V1")
    client.put(
        f"/api/v1/templates/{created['id']}",
        json=make_template_body("V2", sample=None),
        headers=admin_headers,
    )
    releases = client.get(f"{URL}/1", headers=admin_headers).json()["releases"]
    assert releases == [{"templateId": created["id"], "version": 1, "name": "V1"}]
    client.post(f"{URL}/1/releases", json={"templateIds": [created["id"]]}, headers=admin_headers)
    releases = client.get(f"{URL}/1", headers=admin_headers).json()["releases"]
    assert releases == [{"templateId": created["id"], "version": 2, "name": "V2"}]


def test_release_refusals_release_nothing(
    client: TestClient, admin_headers: Headers, create_template: Callable[..., dict[str, Any]]
) -> None:
    created = create_template("Only", release=False)
    unknown_template = client.post(
        f"{URL}/1/releases", json={"templateIds": [created["id"], 99]}, headers=admin_headers
    )
    assert unknown_template.status_code == 404
    assert "template 99" in unknown_template.json()["detail"]
    unknown_domain = client.post(
        f"{URL}/5/releases", json={"templateIds": [created["id"]]}, headers=admin_headers
    )
    assert unknown_domain.status_code == 404
    assert "domain 5" in unknown_domain.json()["detail"]
    for body in ({"templateIds": []}, {}, {"templateIds": ["x"]}, {"templateIds": [0]}):
        response = client.post(f"{URL}/1/releases", json=body, headers=admin_headers)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], str)
    assert client.get(f"{URL}/1", headers=admin_headers).json()["releases"] == []
    assert client.delete(f"{URL}/7/releases/1", headers=admin_headers).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", URL),
        ("POST", URL),
        ("GET", f"{URL}/1"),
        ("POST", f"{URL}/1/secret"),
        ("POST", f"{URL}/1/releases"),
        ("DELETE", f"{URL}/1/releases/1"),
    ],
)
def test_auth_required(client: TestClient, store: Any, headers: Headers, method: str, path: str) -> None:
    secret = store.get_domain(1).secret
    response = client.request(method, path, headers=headers, json={"name": "x", "templateIds": [1]})
    assert response.status_code == 401
    assert "admin token" in response.json()["detail"]
    assert store.get_domain(1).secret == secret
    assert len(store.list_domains()) == 1


def test_auth_comes_before_body_validation(client: TestClient) -> None:
    response = client.post(URL, json={"lang": "fr"})
    assert response.status_code == 401


def test_openapi_operation_ids(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    ids = {
        op.get("operationId")
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
    }
    assert {
        "domains-list",
        "domains-create",
        "domains-get",
        "domains-rotate-secret",
        "domains-release",
        "domains-withdraw",
    } <= ids
    assert schema["paths"][f"{URL}/{{domain_id}}"]["get"]["tags"] == ["domains"]


@pytest.mark.anyio
async def test_async_client_works(async_client: Any, admin_headers: Headers) -> None:
    response = await async_client.get(f"{URL}/1", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["invokeUrl"].startswith("http://testserver/custom/v1/1/")
