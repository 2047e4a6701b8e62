from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from templateocr.models.result import ValidationOutcome, ValidationStatus
from templateocr.models.template import ValidationSpec
from templateocr.pipeline.validate import HttpValidator, is_kr_business_number, validate_values


def test_kr_business_number_checksum() -> None:
    assert is_kr_business_number("220-81-62517")
    assert is_kr_business_number("2208162517")
    assert not is_kr_business_number("220-81-62518")
    assert not is_kr_business_number("220-81-6251")
    assert not is_kr_business_number("22O-81-62517")


def _never(url: str, payload: dict[str, Any]) -> ValidationOutcome:
    raise AssertionError("the validator must not be called")


def test_rules_decide_without_url() -> None:
    spec = ValidationSpec.model_validate(
        {
            "rules": [
                {"field": "no", "check": "kr-business-number"},
                {"field": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            ]
        }
    )
    ok = validate_values(spec, {"no": "220-81-62517", "date": "2024-06-01"}, dict, _never)
    assert ok.status is ValidationStatus.VALID
    bad = validate_values(spec, {"no": "220-81-62517", "date": "2024/06/01"}, dict, _never)
    assert bad.status is ValidationStatus.INVALID
    assert bad.message is not None and "date" in bad.message
    assert validate_values(None, {}, dict, _never).status is ValidationStatus.NO_REQUESTED


class _Handler(BaseHTTPRequestHandler):
    answers: dict[str, tuple[int, bytes]] = {}
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.seen.append(json.loads(self.rfile.read(length)))
        status, body = self.answers[self.path]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def validator_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_validator_answers(validator_url: str) -> None:
    _Handler.answers = {
        "/valid": (200, b'{"result": "VALID"}'),
        "/invalid": (200, b'{"result": "INVALID", "message": "unknown company"}'),
        "/junk": (200, b"not json"),
        "/down": (503, b"{}"),
    }
    call = HttpValidator(timeout_s=2.0)
    payload = {"image": {"validationResult": {"result": "UNCHECKED"}}}
    assert call(f"{validator_url}/valid", payload).status is ValidationStatus.VALID
    invalid = call(f"{validator_url}/invalid", payload)
    assert invalid == ValidationOutcome(ValidationStatus.INVALID, "unknown company")
    assert call(f"{validator_url}/junk", payload).status is ValidationStatus.ERROR
    assert call(f"{validator_url}/down", payload).status is ValidationStatus.ERROR
    assert _Handler.seen[0] == payload
    unreachable = call("http://127.0.0.1:9/none", payload)
    assert unreachable.status is ValidationStatus.ERROR


def test_url_called_only_when_rules_pass(validator_url: str) -> None:
    _Handler.answers = {"/valid": (200, b'{"result": "VALID"}')}
    spec = ValidationSpec.model_validate(
        {"url": f"{validator_url}/valid", "rules": [{"field": "a", "pattern": "^x$"}]}
    )
    assert validate_values(spec, {"a": "y"}, dict, _never).status is ValidationStatus.INVALID
    result = validate_values(spec, {"a": "x"}, lambda: {"image": {}}, HttpValidator(2.0))
    assert result.status is ValidationStatus.VALID
