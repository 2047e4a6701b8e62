"""schemathesis against the management API's OpenAPI document (``/openapi.json``), in process
over ASGI, with the admin token: no request may get a 5xx answer.

The app is built when the module is collected (schemathesis reads the schema then), on a fresh
SQLite store in a temporary directory, with the null engine. Two failures this found are outside
this change's files and are pinned by ``test_regressions.py`` (strict xfails) instead: ids past
the database's 64-bit integers (500, not 404), and numpy's overflow warning for areas with huge
coordinates (numpy's overflow and invalid-value warnings; a 422 in production, where warnings
are not errors). Cases with such ids are not
sent here, and that warning is not an error here, so this test finds anything else.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import schemathesis
from fuzzing import fuzz_settings
from hypothesis import reject
from schemathesis.checks import not_a_server_error

from templateocr.api.app import build_runtime, create_app
from templateocr.engines.registry import EngineConfig, EngineSet
from templateocr.settings import Settings

ADMIN = "fuzz-admin-token-0123456789"
INT64_MAX = 2**63 - 1
NUMPY_OVERFLOW = "(overflow|invalid value) encountered"


def _app() -> Any:
    root = Path(tempfile.mkdtemp(prefix="templateocr-openapi-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    settings = Settings(data_dir=root / "data", admin_token=ADMIN, secret="fuzz-secret-0123456789")
    runtime = build_runtime(settings, engines=EngineSet(EngineConfig(force="null")), announce=lambda _m: None)
    return create_app(settings, runtime=runtime)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app()).include(path_regex="^/api/")


@schema.parametrize()
@fuzz_settings(100)
def test_management_api_never_answers_5xx(case: Any) -> None:
    ids = [v for v in (case.path_parameters or {}).values() if isinstance(v, int)]
    if any(abs(v) > INT64_MAX for v in ids):
        reject()  # pinned by test_regressions.py
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMPY_OVERFLOW, category=RuntimeWarning)
        case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"}, checks=[not_a_server_error])
