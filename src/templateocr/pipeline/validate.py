"""Validation of a page's values: local rules, built-in checks, and an external validator URL.

Any local rule failing gives ``INVALID``. When every rule passes and the template names a
validator URL, the validator decides: it receives ``{"image": <the page's result, with
validationResult UNCHECKED>}`` and answers ``{"result": "VALID"|"INVALID", "message": ...}``;
a validator that cannot be reached, times out, answers too much or anything else gives
``ERROR`` (the page's ``validationResult``; the request does not fail).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from templateocr.models.result import ValidationOutcome, ValidationStatus
from templateocr.models.template import ValidationRule, ValidationSpec

__all__ = ["ExternalValidator", "HttpValidator", "check_rule", "is_kr_business_number", "validate_values"]

ExternalValidator = Callable[[str, dict[str, Any]], ValidationOutcome]
"""Posts a payload to a validator URL and interprets the answer."""

_KR_BIZ_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
MAX_ANSWER_BYTES = 1024 * 1024
"""Largest validator answer read."""
_IDENTITY = {"Accept-Encoding": "identity"}  # read the answer as sent: no decompression bomb


def is_kr_business_number(text: str) -> bool:
    """True for a valid Korean business registration number (10 digits, with or without dashes)."""
    digits = [int(ch) for ch in text if ch.isdigit()]
    if len(digits) != 10 or re.sub(r"[\d\s-]", "", text):
        return False
    total = sum(d * w for d, w in zip(digits[:9], _KR_BIZ_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10 == digits[9]


_CHECKS: dict[str, Callable[[str], bool]] = {"kr-business-number": is_kr_business_number}


def check_rule(rule: ValidationRule, text: str) -> str | None:
    """``None`` when ``text`` passes the rule, else a message saying why not."""
    if rule.pattern is not None:
        if re.search(rule.pattern, text) is None:
            return rule.message or f"{rule.field}: {text!r} does not match {rule.pattern}"
        return None
    assert rule.check is not None
    if not _CHECKS[rule.check](text):
        return rule.message or f"{rule.field}: {text!r} is not a valid {rule.check}"
    return None


class HttpValidator:
    """Calls a validator URL within a time limit; never raises.

    Every wait (connecting, sending, each read) is bounded by ``timeout_s`` and the answer is
    abandoned once the whole call has taken longer, so a validator that trickles its answer
    costs at most about twice ``timeout_s``. An answer over ``max_bytes`` is ``ERROR`` as well.
    """

    def __init__(self, timeout_s: float = 5.0, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        self._timeout = timeout_s
        self._max_bytes = max_bytes

    def __call__(self, url: str, payload: dict[str, Any]) -> ValidationOutcome:
        try:
            return self._call(url, payload)
        except Exception as exc:  # a validator's failure is the page's ERROR result, never the request's
            return ValidationOutcome(ValidationStatus.ERROR, f"validator call failed: {type(exc).__name__}")

    def _call(self, url: str, payload: dict[str, Any]) -> ValidationOutcome:
        deadline = time.monotonic() + self._timeout
        try:
            with (
                httpx.Client(timeout=self._timeout, follow_redirects=False) as client,
                client.stream("POST", url, json=payload, headers=_IDENTITY) as response,
            ):
                if response.status_code != 200:
                    return ValidationOutcome(
                        ValidationStatus.ERROR, f"validator answered HTTP {response.status_code}"
                    )
                body = bytearray()
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > self._max_bytes:
                        return ValidationOutcome(ValidationStatus.ERROR, "validator answer is too large")
                    if time.monotonic() > deadline:
                        return ValidationOutcome(ValidationStatus.ERROR, "validator unreachable: timed out")
        except httpx.TimeoutException:
            return ValidationOutcome(ValidationStatus.ERROR, "validator unreachable: timed out")
        except httpx.HTTPError as exc:
            return ValidationOutcome(ValidationStatus.ERROR, f"validator unreachable: {type(exc).__name__}")
        return _outcome(bytes(body))


def _outcome(raw: bytes) -> ValidationOutcome:
    """A validator's JSON answer ``{"result": "VALID"|"INVALID", "message": ...}``."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return ValidationOutcome(ValidationStatus.ERROR, "validator answered something that is not JSON")
    result = body.get("result") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if result not in ("VALID", "INVALID"):
        return ValidationOutcome(ValidationStatus.ERROR, "validator answered no VALID/INVALID result")
    return ValidationOutcome(ValidationStatus(result), message[:1000] if isinstance(message, str) else None)


def validate_values(
    spec: ValidationSpec | None,
    texts: Mapping[str, str],
    payload: Callable[[], dict[str, Any]],
    validator: ExternalValidator,
) -> ValidationOutcome:
    """Run the template's validation over the fields' texts."""
    if spec is None or (not spec.rules and spec.url is None):
        return ValidationOutcome(ValidationStatus.NO_REQUESTED)
    failures = [
        msg for rule in spec.rules if (msg := check_rule(rule, texts.get(rule.field, ""))) is not None
    ]
    if failures:
        return ValidationOutcome(ValidationStatus.INVALID, "; ".join(failures))
    if spec.url is None:
        return ValidationOutcome(ValidationStatus.VALID)
    return validator(spec.url, payload())
