from __future__ import annotations

import json

import pytest

from templateocr.api.clova.schemas import parse_json_body, parse_message
from templateocr.exceptions import InvalidRequestError, ProtocolVersionError
from templateocr.models.template import Lang


def _body(**image: object) -> dict[str, object]:
    base: dict[str, object] = {"format": "png", "name": "a", "data": "AAAA"}
    base.update(image)
    return {"version": "V2", "requestId": "r1", "timestamp": 0, "images": [base]}


def test_accepts_clova_client_body_with_unknown_keys() -> None:
    body = _body(templateIds=7)
    body["resultType"] = "string"
    body["enableTableDetect"] = False
    body["lang"] = "ko, ja"
    parsed = parse_json_body(json.dumps(body).encode())
    assert parsed.request.image.template_ids == [7]
    assert parsed.request.langs() == [Lang.KO, Lang.JA]


def test_template_ids_list_and_numeric_request_id() -> None:
    body = _body(templateIds=[1, 2])
    body["requestId"] = 1234
    parsed = parse_json_body(json.dumps(body).encode())
    assert parsed.request.image.template_ids == [1, 2]
    assert parsed.request.request_id == "1234"


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda b: b.pop("images"), "images"),
        (lambda b: b.update(images=[]), "exactly one image"),
        (lambda b: b.update(images=[b["images"][0], b["images"][0]]), "exactly one image"),  # type: ignore[index]
        (lambda b: b["images"][0].pop("format"), "images[0].format"),  # type: ignore[index]
        (lambda b: b["images"][0].pop("data"), "give 'data'"),  # type: ignore[index]
        (lambda b: b.update(lang="fr"), "unknown language"),
    ],
)
def test_invalid_bodies_name_the_problem(mutate: object, fragment: str) -> None:
    body = _body()
    mutate(body)  # type: ignore[operator]
    with pytest.raises(InvalidRequestError) as info:
        parsed = parse_json_body(json.dumps(body).encode())
        parsed.request.langs()
    assert fragment in info.value.full_message


def test_version_and_json_errors() -> None:
    body = _body()
    body["version"] = "V3"
    with pytest.raises(ProtocolVersionError):
        parse_json_body(json.dumps(body).encode())
    with pytest.raises(InvalidRequestError):
        parse_json_body(b"{not json")
    with pytest.raises(InvalidRequestError):
        parse_json_body(b"\xff\xfe")
    with pytest.raises(InvalidRequestError):
        parse_json_body(b"[1, 2]")
    with pytest.raises(InvalidRequestError):
        parse_json_body(b"[" * 100000 + b"]" * 100000)


def test_multipart_message_without_data() -> None:
    message = json.dumps(
        {"version": "V1", "requestId": "1", "timestamp": 1, "images": [{"format": "jpg", "name": "x"}]}
    )
    parsed = parse_message(message.encode(), b"bytes")
    assert parsed.file == b"bytes"
    with pytest.raises(InvalidRequestError, match="file"):
        parse_message(message, None)
    with pytest.raises(InvalidRequestError, match="message"):
        parse_message(None, b"x")
