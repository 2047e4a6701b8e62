"""The exact inputs that fuzzing and the hostile-input tests found failing, as plain tests.

Fixed here: a body of millions of small JSON values (gigabytes once parsed) is refused before
parsing; a refused oversized body closes the connection (tests/api/test_hostile_input.py); a
validator that trickles, nests its JSON deeply or answers megabytes gives ``ERROR``
(tests/api/test_hostile_urls.py).

Found by schemathesis, fixed in the store and the geometry: ids past 64-bit integers answer 404
(they used to reach the database and fail there with 500); coordinates beyond any image are
refused before arithmetic that could overflow.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from templateocr.api.app import build_runtime, create_app
from templateocr.api.clova.schemas import MAX_JSON_VALUES, parse_json_body
from templateocr.engines.registry import EngineConfig, EngineSet
from templateocr.exceptions import InvalidRequestError
from templateocr.settings import Settings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

TOKEN = "regress-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
BEYOND_INT64 = 2**63


def test_json_flood_is_refused_before_parsing() -> None:
    flood = b'{"version": "V2", "pad": [' + b"{}," * (2 * MAX_JSON_VALUES) + b"{}]}"
    with pytest.raises(InvalidRequestError, match="too many JSON values"):
        parse_json_body(flood)
    nested = b"[" * (MAX_JSON_VALUES + 1) + b"]" * (MAX_JSON_VALUES + 1)
    with pytest.raises(InvalidRequestError, match="too many JSON values"):
        parse_json_body(nested)


def test_a_request_with_many_template_ids_is_still_parsed() -> None:
    ids = ", ".join(str(i) for i in range(1, 1001))
    body = (
        '{"version": "V2", "requestId": "r", "timestamp": 0, "lang": "ko, en",'
        f' "images": [{{"format": "png", "name": "a, b, c", "data": "AAAA", "templateIds": [{ids}]}}]}}'
    )
    parsed = parse_json_body(body.encode())
    assert parsed.request.image.template_ids == list(range(1, 1001))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("regress") / "data"
    settings = Settings(data_dir=data_dir, admin_token=TOKEN, secret="regress-secret-012345")
    runtime = build_runtime(settings, engines=EngineSet(EngineConfig(force="null")), announce=lambda _m: None)
    with TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/v1/templates/{BEYOND_INT64}"),
        ("GET", f"/api/v1/templates/{BEYOND_INT64}/sample"),
        ("GET", f"/api/v1/templates/{BEYOND_INT64}/export"),
        ("GET", f"/api/v1/domains/{BEYOND_INT64}"),
        ("POST", f"/api/v1/domains/{BEYOND_INT64}/secret"),
        ("DELETE", f"/api/v1/domains/1/releases/{BEYOND_INT64}"),
    ],
)
def test_ids_past_64_bits_are_not_found(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, headers=ADMIN).status_code == 404


def test_huge_coordinates_are_refused_without_a_numpy_warning(client: TestClient) -> None:
    body = {
        "name": "0",
        "fields": [
            {
                "name": "0",
                "boundingPoly": None,
                "boxes": [
                    {
                        "vertices": [
                            {"x": 0.0, "y": 0.0},
                            {"x": 0.0, "y": 0.0},
                            {"x": 0.0, "y": 1.3611716301564551e284},
                            {"x": 1.3206954178553416e24, "y": 0.0},
                        ]
                    }
                ],
            }
        ],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert client.post("/api/v1/templates", json=body, headers=ADMIN).status_code == 422
