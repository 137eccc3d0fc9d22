"""Schemathesis over both OpenAPI documents the app serves (/openapi.json for the REST API,
/ogc/api for OGC API Features): every operation gets generated valid and invalid requests,
and the test fails on any 5xx, any status the document does not declare for the operation,
and any answer whose content type, headers or body differ from what it documents.

Bounded for CI (GIS_FUZZ_EXAMPLES examples per operation and mode, 12 by default; no
shrinking; derandomized so a run is repeatable). Raise the number to search harder locally.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.auth import auth_headers

EXAMPLES = int(os.environ.get("GIS_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
DOCUMENTS = ("/openapi.json", "/ogc/api")


@dataclass
class Tally:
    """What one run sent and found."""

    operations: int = 0
    requests: int = 0
    server_errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def line(self, document: str) -> str:
        return (
            f"{document}: {self.operations} operations, {self.requests} requests, "
            f"{self.server_errors} 5xx, {sum(self.failures.values())} check failures "
            f"({len(self.failures)} distinct)"
        )


def _fuzz(
    operation: schemathesis.APIOperation,
    mode: schemathesis.GenerationMode,
    tally: Tally,
    headers: dict[str, str],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        tally.requests += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the app answered 500, and the in-process server re-raises
            tally.server_errors += 1
            tally.failures[f"{operation.label} [500] {type(exc).__name__}: {exc}"[:200]] += 1
            return
        tally.server_errors += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                tally.failures[f"{operation.label} [{response.status_code}] {failure.title}"] += 1

    try:
        run()
    except Unsatisfiable:
        # No invalid request exists for an operation without parameters or body.
        assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label


@pytest.mark.slow
@pytest.mark.parametrize("document", DOCUMENTS)
def test_openapi_fuzz(fuzz_app: FastAPI, document: str) -> None:
    headers = auth_headers(fuzz_app.state.settings.database_url)
    schema = schemathesis.openapi.from_asgi(document, fuzz_app, headers=headers)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        for mode in MODES:
            _fuzz(operation, mode, tally, headers)
    print(tally.line(document))  # noqa: T201 - the counts are this test's report
    for failure, count in sorted(tally.failures.items()):
        print(f"  {count:4d} × {failure}")  # noqa: T201
    assert tally.server_errors == 0 and not tally.failures, tally.line(document)
