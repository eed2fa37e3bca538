"""The JSON API against its own OpenAPI description (issue 10 #7), with schemathesis.

Schemathesis reads ``/api/v1/openapi.json`` from the Flask app (WSGI: no server, no network) and
generates requests for every operation from it:

- the coverage phase: deterministic boundary and negative cases per parameter and field (limits
  at and past the range, wrong types, missing required fields, duplicated query parameters,
  methods the path does not allow);
- fuzzing: Hypothesis-generated valid requests (positive) and requests that break the description
  (negative), and valid requests with one value swapped for a hostile one of the kinds an outsider
  sends (Unicode digits, 1e400, NaN, huge integers, NUL, lone surrogates, nested objects...).

Every response is checked by schemathesis (documented status code and content type, body
conforming to the response schema, schema-breaking input refused, schema-valid input accepted,
the token not ignored) and by this API's own promise: no 5xx ever, and every error is a JSON
object ``{"error": ..., "status": ...}``. An exception a view leaves unhandled (schemathesis
re-raises it instead of the 500 a visitor would get) counts as a server error. The figures of a
run are printed (``-s``): cases run, server errors, errors not JSON, responses not as described.

The number of cases is fixed and the generation derandomised, so the figures a run prints (cases
run, server errors found) are reproducible; nothing here measures time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection

from .conftest import ALICE, WebWorld

FUZZ_CASES = {"member": 600, "anonymous": 150}
"""Hypothesis-generated cases per caller (on top of the coverage phase's deterministic ones)."""

HOSTILE_QUERY = ["²", "١٢", "1e400", "-1", "0", "99999999999999999999999", " 5", "5 ", "+5", "1_0", "0x10", "NaN",
                 "", "\x00", "a" * 5000, "<script>", "%", "'", '"', "*", "NEAR(", '"open', "AND OR", "\\", "%00"]
"""Query values outsiders send: digits Python's int() reads but the API must not, overflow, SQL
and full-text syntax, control characters, very long text."""

HOSTILE_JSON: list[Any] = [
    float("inf"), float("-inf"), float("nan"), "@1e400@", "@-1e400@", "@1E+999@", 10**400, -(10**30), 2**63,
    2**31, 2**31 - 1, 1.5, True, False, None, "1", "", [], {}, [1], {"a": 1}, "x" * 30_000, "\x00", "\ud800",
    0, -1, 1e-300, "rating", "club:it-executive", "javascript:alert(1)", "https://user@bank.example/"]
"""JSON values outsiders send: 1e400 and NaN (Python's json reads both; ``"@...@"`` is sent as
the bare number between the @), integers past 32 and 64 bits, booleans where numbers belong, wrong
containers, NUL and lone surrogates a database refuses."""


@dataclass
class Findings:
    """What one exploration saw: how many requests, and every broken rule with its request."""

    cases: int = 0
    server_errors: list[str] = field(default_factory=list)
    not_json: list[str] = field(default_factory=list)
    schema_failures: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.server_errors + self.not_json + self.schema_failures


def is_json_error(headers: Mapping[str, list[str]], body: bytes, status: int) -> bool:
    """An error as this API promises it: ``application/json``, an object with the message and
    the status."""
    content_type = next((v[0] for k, v in headers.items() if k.lower() == "content-type" and v), "")
    if content_type.split(";")[0].strip() != "application/json":
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("error"), str) and data.get("status") == status


def _not_json(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def body_is_valid(spec: Mapping[str, Any], schema: Mapping[str, Any], body: Any) -> bool:
    """Whether ``body`` is valid against ``schema``, a request body schema of the OpenAPI
    description ``spec`` (its ``$ref``s point into the description's components)."""
    return bool(jsonschema_rs.validator_for({**schema, "components": spec.get("components", {})}).is_valid(body))


class Explorer:
    """Sends cases to the app as one caller and records what broke the rules."""

    def __init__(self, app: Flask, headers: dict[str, str]) -> None:
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        self.headers = headers
        self.found = Findings()

    def check(self, case: Any) -> None:
        self.found.cases += 1
        request = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r:.300}"
        try:
            response = case.call(headers=self.headers)
        except Exception as exc:  # noqa: BLE001 - schemathesis re-raises what a view raised unhandled: a 500
            self.found.server_errors.append(f"{request} -> 500 {exc!r:.200}")
            return
        status, body = response.status_code, response.content
        where = f"{request} -> {status} {body[:200]!r}"
        if status >= 500:
            self.found.server_errors.append(where)
        if status >= 400 and not is_json_error(response.headers, body, status):
            self.found.not_json.append(where)
        # A negative case whose violation was in the headers (the Authorization header left out or
        # garbled) is repaired by this caller's own token, so the request as sent may well be valid:
        # "schema-violating request accepted" would then blame the API for the test's override.
        excluded = ([negative_data_rejection] if self.repairs_headers_of(case) or self.sends_a_valid_body(case)
                    else None)
        try:
            case.validate_response(response, headers=self.headers, transport_kwargs={"headers": self.headers},
                                   excluded_checks=excluded)
        except FailureGroup as exc:
            self.found.schema_failures.append(f"{where}: " + "; ".join(sorted({f.title for f in exc.exceptions})))

    def sends_a_valid_body(self, case: Any) -> bool:
        """Whether ``case`` is negative in its JSON body alone while the body it sends is valid after
        all. Hypothesis mixes string constants of the imported modules into what it generates (so
        what it draws depends on which tests ran before); a "schema-breaking" text it picked that
        way can be a valid one (a 20-character UI string as a post's text), and "schema-violating
        request accepted" would then blame the API for accepting a valid request."""
        meta = case.meta
        if meta is None or not meta.generation.mode.is_negative:
            return False
        negative = {location for location, info in meta.components.items() if info.mode.is_negative}
        if negative != {ParameterLocation.BODY}:
            return False
        schema = (case.operation.definition.raw.get("requestBody", {}).get("content", {})
                  .get("application/json", {}).get("schema"))
        body = case.body
        if isinstance(body, bytes):  # a body sent as it was serialised: standard JSON only
            try:
                body = json.loads(body, parse_constant=_not_json, parse_float=_finite)
            except ValueError:
                return False
        # only a JSON object can be a valid body here (other JSON values and no body at all break
        # every request body's description)
        return schema is not None and isinstance(body, dict) and body_is_valid(self.schema.raw_schema, schema, body)

    def repairs_headers_of(self, case: Any) -> bool:
        """Whether ``case`` is negative in its headers, which this caller's headers replace."""
        meta = case.meta
        return bool(self.headers) and meta is not None and meta.generation.mode.is_negative and any(
            location == ParameterLocation.HEADER and info.mode.is_negative for location, info in meta.components.items())

    def coverage_cases(self) -> Iterator[Any]:
        for result in self.schema.get_all_operations():
            operation = result.ok()
            config = self.schema.config.generation_for(operation=operation, phase="coverage")
            yield from self.schema.iter_coverage_cases(
                operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                generation_config=config)

    def fuzz(self, max_examples: int) -> None:
        positive = self.schema.as_strategy(generation_mode=GenerationMode.POSITIVE)
        negative = self.schema.as_strategy(generation_mode=GenerationMode.NEGATIVE)

        @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(positive, negative, st.builds(hostile, positive, st.randoms(use_true_random=False))))
        def run(case: Any) -> None:
            self.check(case)

        run()


def hostile(case: Any, rnd: Any) -> Any:
    """``case`` with one query parameter, path parameter or body field (or the whole body)
    replaced by a hostile value."""
    params = case.operation.definition.raw.get("parameters", [])
    places = [("query", p["name"]) for p in params if p["in"] == "query"]
    places += [("path", p["name"]) for p in params if p["in"] == "path"]
    if isinstance(case.body, dict):
        places += [("body", name) for name in [*case.body, "item_id", "kind", "value", "title", "text", "link",
                                               "visibility", "extra"]]
        places.append(("body", None))
    if not places:
        return case
    where, name = rnd.choice(places)
    if where == "query":
        case.query = {**(case.query or {}), name: rnd.choice(HOSTILE_QUERY)}
    elif where == "path":
        case.path_parameters = {**(case.path_parameters or {}), name: rnd.choice(HOSTILE_QUERY)}
    else:
        body = rnd.choice(HOSTILE_JSON) if name is None else {**case.body, name: rnd.choice(HOSTILE_JSON)}
        # serialised here: the JSON a client library writes has no NaN, Infinity or 1e400
        case.body = re.sub(r'"@([^@"]+)@"', r"\1", json.dumps(body, allow_nan=True)).encode("utf-8", "surrogatepass")
    return case


def api_token(world: WebWorld, email: str) -> str:
    user = world.cur.accounts.user_by_email(email) or world.cur.accounts.create(email)
    _, secret = world.cur.accounts.create_api_token(user.id, "property test")
    return secret


@pytest.mark.parametrize("caller", ["member", "anonymous"])
def test_api_conforms_to_its_openapi_description(world: WebWorld, caller: str) -> None:
    """As a member (Alice: in a club, with posts) and as anonymous (no token, or the empty or
    random ones schemathesis generates from the security scheme): coverage cases, then fuzzing."""
    explorer = Explorer(world.app, {"Authorization": f"Bearer {api_token(world, ALICE)}"} if caller == "member" else {})
    for case in explorer.coverage_cases():
        explorer.check(case)
    coverage = explorer.found.cases
    explorer.fuzz(FUZZ_CASES[caller])
    found = explorer.found
    print(f"\nAPI property test ({caller}, {world.cur.storage.engine.dialect.name}): {found.cases} cases run "
          f"({coverage} coverage, {found.cases - coverage} fuzzed), {len(found.server_errors)} server errors (5xx), "
          f"{len(found.not_json)} errors not JSON, {len(found.schema_failures)} responses not as described")
    assert found.cases - coverage >= 0.9 * FUZZ_CASES[caller]
    assert found.problems() == [], "\n".join(found.problems()[:40])


def test_a_body_is_checked_against_the_description_before_the_api_is_blamed(world: WebWorld) -> None:
    """The check behind ``sends_a_valid_body``: a post with a 20-character text is valid, one
    with 19 characters or without a title is not."""
    spec = world.app.test_client().get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/api/v1/posts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body_is_valid(spec, schema, {"title": "rating", "visibility": "public", "text": "E-Mail-Einstellungen"})
    assert not body_is_valid(spec, schema, {"title": "rating", "visibility": "public", "text": "E-Mail-Einstellunge"})
    assert not body_is_valid(spec, schema, {"visibility": "public", "text": "E-Mail-Einstellungen"})
