"""hypothesis over the ``/infer`` body parser: the JSON body, the multipart ``message`` and
``file`` parts, and whole requests through the app (content types, multipart framing). Whatever
comes in, the answer is a parsed request or a CLOVA request error (0011, 0021), never another
exception, and over HTTP never a 5xx (but CLOVA's own 1021, a 500 by the contract).
"""

from __future__ import annotations

import base64
import contextlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from templateocr.api.app import build_runtime, create_app
from templateocr.api.clova.schemas import ParsedRequest, parse_json_body, parse_message
from templateocr.engines.registry import EngineConfig, EngineSet
from templateocr.exceptions import InvalidRequestError, ProtocolVersionError
from templateocr.settings import Settings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

SECRET = "fuzz-secret-0123456789"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
formats = st.sampled_from(["jpg", "JPEG", "png", "pdf", "tif", "tiff", "bmp", "", " png ", "gif"])


@st.composite
def near_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A request that is mostly right, with any key missing, replaced or added."""
    image: dict[str, Any] = {
        "format": draw(formats),
        "name": draw(st.text(max_size=20)),
        "data": draw(
            st.sampled_from([base64.b64encode(PNG_1PX).decode(), "", "%%%", "data:image/png;base64,AAAA"])
            | st.text(max_size=40)
        ),
    }
    if draw(st.booleans()):
        image["url"] = draw(st.sampled_from(["http://example.invalid/a.png", "ftp://x", "", "http://[::1"]))
    if draw(st.booleans()):
        image["templateIds"] = draw(json_values | st.lists(st.integers(), max_size=3))
    body: dict[str, Any] = {
        "version": draw(st.sampled_from(["V1", "V2", "V3", "v2", "", None]) | json_scalars),
        "requestId": draw(st.text(max_size=20) | st.integers()),
        "timestamp": draw(st.integers() | st.floats() | st.text(max_size=5)),
        "lang": draw(st.sampled_from(["ko", "ja, en", "zh-TW", "fr", ",,", "", None]) | st.text(max_size=10)),
        "images": draw(st.sampled_from([[image], [], [image, image], image, None])),
    }
    for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=2)):
        body.pop(key, None)
    for key, value in draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)).items():
        body[key] = value
    return body


def _parse_or_clova_error(parse: Any, *args: Any) -> ParsedRequest | None:
    try:
        parsed = parse(*args)
    except (InvalidRequestError, ProtocolVersionError) as error:
        assert error.code in ("0011", "0021")
        return None
    assert isinstance(parsed, ParsedRequest)
    assert len(parsed.request.images) == 1
    return parsed


@fuzz_settings(1500)
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_json_body_any_bytes(raw: bytes) -> None:
    _parse_or_clova_error(parse_json_body, raw)


@fuzz_settings(1500)
@given(near_requests() | json_values)
def test_json_body_near_valid_requests(body: Any) -> None:
    raw = json.dumps(body).encode()
    parsed = _parse_or_clova_error(parse_json_body, raw)
    if parsed is not None:
        assert parsed.request.version in ("V1", "V2")
        with contextlib.suppress(InvalidRequestError):  # an unknown lang is 0011 when it is used
            parsed.request.langs()


@fuzz_settings(800)
@given(
    st.none() | st.binary(max_size=200) | st.text(max_size=100) | near_requests().map(json.dumps),
    st.none() | st.binary(max_size=50),
)
def test_multipart_message_and_file(message: bytes | str | None, file: bytes | None) -> None:
    _parse_or_clova_error(parse_message, message, file)


# --- through the app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("parser") / "data"
    settings = Settings(data_dir=data_dir, admin_token="fuzz-admin-token-0123456789", secret=SECRET)
    runtime = build_runtime(settings, engines=EngineSet(EngineConfig(force="null")), announce=lambda _m: None)
    with TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False) as test_client:
        yield test_client


content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "multipart/form-data; boundary=b",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded",
        "image/png",
        "",
    ]
)


@st.composite
def multipart_bodies(draw: st.DrawFn) -> bytes:
    """Multipart framing with parts of any name, headers and content, sometimes cut short."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["message", "file", "other", ""]) | st.text(max_size=5))
        filename = draw(st.none() | st.text(max_size=5))
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        content = draw(
            st.binary(max_size=80) | near_requests().map(lambda b: json.dumps(b).encode()) | st.just(PNG_1PX)
        )
        head = draw(st.sampled_from([f"Content-Disposition: {disposition}", "Content-Type: text/plain", ""]))
        parts.append(b"--b\r\n" + head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + content + b"\r\n")
    body = b"".join(parts) + draw(st.sampled_from([b"--b--\r\n", b"--b--", b"", b"--b\r\n"]))
    cut = draw(st.integers(0, len(body)))
    return body[:cut] if draw(st.booleans()) else body


@fuzz_settings(400)
@given(
    content_types,
    st.binary(max_size=200) | near_requests().map(lambda b: json.dumps(b).encode()) | multipart_bodies(),
)
def test_infer_route_never_answers_5xx(client: TestClient, content_type: str, body: bytes) -> None:
    headers = {"X-OCR-SECRET": SECRET}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/infer", content=body, headers=headers)
    if response.status_code >= 500:  # only CLOVA's 1021 (templateIds not released) is a 500
        assert response.json()["code"] == "1021", response.text
    if response.status_code != 200:
        answer = response.json()
        assert set(answer) == {"code", "message", "path", "traceId", "timestamp"}, answer
        assert answer["code"] in ("0001", "0011", "0021", "1021"), answer
