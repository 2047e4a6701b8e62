"""Shared settings of the fuzz tests: derandomized (the same cases on every run, so CI is
repeatable), no example database, no per-example deadline. ``TEMPLATEOCR_FUZZ_SCALE`` multiplies
every test's number of cases (default 1; e.g. 10 for a longer run by hand)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("TEMPLATEOCR_FUZZ_SCALE", "1"))


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for ``max_examples`` cases (times ``TEMPLATEOCR_FUZZ_SCALE``)."""
    return settings(
        max_examples=max(1, round(max_examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
