"""Every operation of the OpenAPI schema, fed what Schemathesis draws from it, answers without a server error.

For each operation a few requests that fit its schema (positive) and a few that break it (negative) are drawn
once per run with Hypothesis (derandomized: the same cases each run), then sent through the test's own client,
as a logged-in manager and anonymously, on both databases. Schemathesis's own ASGI transport is not used: the
app and the database share the test's event loop. A 5xx is a bug: fix it at its cause (a bounded type, a domain
check), never by catching broadly.
"""

from __future__ import annotations

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

CASES_PER_MODE = 5
_drawn: dict[str, list[tuple[str, object]]] = {}  # the cases of each operation, drawn once per run


def _draw(operation, mode: GenerationMode) -> list:
    cases = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=CASES_PER_MODE, database=None, phases=[Phase.generate], deadline=None,
                         derandomize=True, suppress_health_check=list(HealthCheck))
    def collect(case):
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing breaks the schema of an operation without parameters or body
        pass
    return cases


def _cases(schema_json: dict) -> list[tuple[str, object]]:
    key = repr(sorted(schema_json.get("paths", {})))
    if key not in _drawn:
        schema = schemathesis.openapi.from_dict(schema_json)
        _drawn[key] = [(operation.label, case)
                       for result in schema.get_all_operations()
                       for operation in [result.ok()]
                       for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                       for case in _draw(operation, mode)]
    return _drawn[key]


async def _server_errors(client) -> list[str]:
    """Every drawn case sent as `client` (a Till of conftest.py); the ones answered 5xx."""
    schema_json = (await client.get("/schema/openapi.json")).json()
    cases = _cases(schema_json)
    assert len({label for label, _ in cases}) > 50, "the schema lost its operations"
    failed = []
    for label, case in cases:
        request = _prepared(case)
        if request is None:
            continue
        request.headers["x-csrftoken"] = client.csrf  # past the CSRF check, to the handler
        response = await client.client.request(request.method, request.url, headers=dict(request.headers),
                                               content=request.body)
        if response.status_code >= 500:
            failed.append(f"{label}: {response.status_code} for {request.method} {request.url} "
                          f"{request.body!r:.300}")
    return failed


def _prepared(case) -> requests.PreparedRequest | None:
    """The case as bytes on the wire: Schemathesis gives the keyword arguments of `requests`, which encodes
    them (JSON, forms, multipart); None for the few a client cannot encode at all (a number as a file)."""
    sent = case.as_transport_kwargs(base_url="http://testserver.local")
    headers = {k: v for k, v in (sent.get("headers") or {}).items() if k.lower() != "cookie"}
    try:
        return requests.Request(sent["method"], sent["url"], headers=headers, params=sent.get("params"),
                                data=sent.get("data"), files=sent.get("files"), json=sent.get("json")).prepare()
    except (TypeError, ValueError, AttributeError):
        return None


async def test_no_server_error_as_a_manager(manager):
    # given a manager logged in, when every operation is fed drawn cases, then none is a server error
    assert await _server_errors(manager) == []


async def test_no_server_error_anonymously(browser):
    # given no one logged in (but the CSRF cookie set), when every operation is fed drawn cases
    await browser.get("/login")
    # then none is a server error (almost all are 401)
    assert await _server_errors(browser) == []
