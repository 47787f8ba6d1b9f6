"""API fuzzing: schemathesis generates requests from our own OpenAPI schema and sends them to the WSGI app.

Every operation gets FUZZ_EXAMPLES generated cases (small in `make test`, large in `make fuzz`), as an
anonymous caller, as an investor and as an admin. Checks: no 5xx, and every response that the schema
describes matches it (body shape and content type).
"""
from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from django.core.signals import request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, assume, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# The "explicit" phase adds schemathesis' coverage cases (every boundary and negative value of every
# parameter: hundreds per operation). Too slow for `make test`; `make fuzz` turns it on.
PHASES = [Phase.explicit, Phase.generate] if os.environ.get("FUZZ_COVERAGE") else [Phase.generate]
ROLES = ("anonymous", "alice", "root")
_turn = itertools.count()
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(db):
    from gis_portal.wsgi import application

    # The WSGI handler closes "old" connections at each request; inside the test's transaction that would
    # drop the test database state, so do what Django's own test client does and keep the connection.
    request_started.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _headers(cast, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    token, _ = Token.objects.get_or_create(user=cast[role])
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=PHASES, derandomize=not os.environ.get("FUZZ_RANDOM"),
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error_or_off_schema(case, cast):
    # Negative cases may put a non-object body into a form encoding, which the HTTP client itself
    # cannot encode (werkzeug expects a dict): such a request never reaches the server, so skip it.
    form = (case.media_type or "").startswith(("multipart/", "application/x-www-form-urlencoded"))
    assume(not (form and not isinstance(case.body, dict)))
    # Each generated case is sent by one caller, in turn anonymous, an investor and an admin: three
    # passes' coverage at the cost of one.
    role = ROLES[next(_turn) % len(ROLES)]
    headers = _headers(cast, role)
    # One savepoint per request: a server error that aborts the transaction is reported for the
    # operation that caused it instead of failing every operation after it.
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    finally:
        transaction.savepoint_rollback(savepoint)
