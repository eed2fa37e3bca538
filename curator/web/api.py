"""The JSON API: feed, items, search, feedback, posts, editor rules, topic trends and the sources as
OPML (the one answer that is not JSON), described by OpenAPI 3.1 at
``/api/v1/openapi.json``.

Authentication is ``Authorization: Bearer <token>`` only (tokens are created on /me/tokens). The
session cookie is never read here, which is why the API needs no CSRF token: a cross-site form
cannot set that header. Items follow the same access rule as the pages; an item the caller may
not see is a 404 like one that does not exist.

Input: the description is the validator. Every query parameter, path parameter and
request body is checked against the operation's entry in :data:`OPENAPI` by one function,
:func:`checked`, before a view runs, so what the description promises and what the endpoints
accept cannot drift apart. Checks are strict: integers are ASCII digits (or JSON numbers without
a fraction) inside the documented range, never ``²``, ``1e400``, ``NaN`` or ``true``; enums are
exact; strings have the documented length and pattern and no lone surrogates; bodies are JSON
objects without unknown fields; a query parameter given twice or unknown is refused.

Errors: every answer other than a success is ``application/json`` and never HTML::

    {"error": "limit must be an integer from 1 to 100", "status": 400,
     "field": "limit", "allowed": "an integer from 1 to 100"}

``field`` and ``allowed`` come with bad input only. 400 bad input, 401 no valid token, 403 not
allowed for this account, 404 no such path or item (or one the caller may not see), 405 method
not allowed on the path (with ``Allow``), 409 the stored state forbids it, 413 body over the
app's limit, 415 body not ``application/json``, 429 rate limited, 503 database trouble, 500 a
bug (still JSON). The handlers sit on this blueprint, and a hook of it answers unknown paths
and methods under the prefix, so the pages' HTML error handlers never see an API request.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import AccessDenied, CuratorError, InvalidInput, NotFound, RateLimited, StorageError
from ..types import AREA_IDS, LANGUAGES, EditorRule, Item, MemberPost, ScoredItem, SearchHit
from .app import cur

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_ID = 2**31 - 1
"""Ids are INTEGER columns, 32-bit on PostgreSQL: a larger id cannot exist, and asking the
database for one fails there instead of finding nothing."""


class ApiError(Exception):
    """An answer other than success: the status, a message for a person, and for bad input the
    field and what it allows."""

    def __init__(self, status: int, message: str, *, field: str | None = None, allowed: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.allowed = status, message, field, allowed
        self.headers = dict(headers or {})


def _answer(exc: ApiError) -> Response:
    body: dict[str, Any] = {"error": exc.message, "status": exc.status}
    if exc.field is not None:
        body["field"] = exc.field
    if exc.allowed is not None:
        body["allowed"] = exc.allowed
    resp = jsonify(body)
    resp.status_code = exc.status
    resp.headers.update(exc.headers)
    return resp


_STATUS_OF: list[tuple[type[CuratorError], int]] = [
    (NotFound, 404), (InvalidInput, 400), (AccessDenied, 403), (RateLimited, 429), (StorageError, 503),
    (CuratorError, 409)]
"""What each error family means over HTTP; the first match wins (subclasses come first)."""


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return _answer(exc)


@bp.errorhandler(CuratorError)
def _curator_error(exc: CuratorError) -> Response:
    status = next(code for family, code in _STATUS_OF if isinstance(exc, family))
    # NotFound says the same for a missing and a hidden item, so existence is never revealed;
    # database trouble is logged, its details are not the caller's business.
    message = {404: "not found", 503: "the database is not available just now; try again later"}.get(status, str(exc))
    if status == 503:
        current_app.logger.error("API request failed: %s %s: %s", request.method, request.path, exc)
    return _answer(ApiError(status, message))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    """What Werkzeug raises inside a view: 413 for a body over MAX_CONTENT_LENGTH, mostly."""
    return _answer(ApiError(exc.code or 500, exc.description or exc.name))


@bp.errorhandler(Exception)
def _bug(exc: Exception) -> Response:
    """A bug: logged with its traceback, answered as JSON like every other error."""
    current_app.logger.exception("API request failed: %s %s", request.method, request.path)
    return _answer(ApiError(500, "internal error; it has been logged"))


# --------------------------------------------------------------------------- the one validation helper

def _resolved(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(schema: Mapping[str, Any]) -> list[str]:
    t = schema.get("type", [])
    return [t] if isinstance(t, str) else list(t)


def allowed(schema: Mapping[str, Any]) -> str:
    """What ``schema`` allows, in words, for error messages."""
    schema = _resolved(schema)
    types = _types(schema)
    if "enum" in schema:
        text = "one of " + ", ".join(str(v) for v in schema["enum"])
    elif "description" in schema:
        text = str(schema["description"])
    elif "integer" in types or "number" in types:
        text = f"{'an integer' if 'integer' in types else 'a number'} from {schema['minimum']} to {schema['maximum']}"
    elif "string" in types:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        text = f"text of {low} to {high} characters" if low else f"text of at most {high} characters"
    elif "boolean" in types:
        text = "true or false"
    else:
        text = "a JSON object"
    return f"{text}, or null" if "null" in types else text


def checked(name: str, value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` (parsed JSON, or a path parameter) if it fits ``schema``, integers as ``int``.

    Covers the part of JSON Schema that :data:`OPENAPI` uses: ``$ref``, ``type`` (integer,
    number, string, boolean, object, null), ``enum``, ``minimum``/``maximum``, ``minLength``/
    ``maxLength``, ``pattern`` (searched, as JSON Schema does), ``properties``/``required``/
    ``additionalProperties: false``, and ``oneOf`` chosen by a ``discriminator``. An integer is
    a JSON number without a fraction (so ``3.0`` is 3), never a boolean; numbers are finite.
    Raises ApiError 400 naming the field (``name``, dotted for nested fields) and what it allows.
    """
    schema = _resolved(schema)
    bad = ApiError(400, f"{name} must be {allowed(schema)}", field=name, allowed=allowed(schema))
    if "discriminator" in schema:
        return _checked_variant(name, value, schema)
    types = _types(schema)
    # bool is an int to Python, not to JSON; a float may be 1e400 (inf) or NaN, which Python's json reads
    is_int = isinstance(value, int) and not isinstance(value, bool)
    is_number = is_int or (isinstance(value, float) and math.isfinite(value))
    if value is None:
        if "null" not in types:
            raise bad
    elif "integer" in types and (is_int or (is_number and value.is_integer())):
        value = int(value)
        if not schema["minimum"] <= value <= schema["maximum"]:
            raise bad
    elif "number" in types and is_number:
        if not schema["minimum"] <= value <= schema["maximum"]:
            raise bad
    elif "string" in types and isinstance(value, str):
        if (not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
                or ("pattern" in schema and not re.search(schema["pattern"], value))):
            raise bad
        if re.search("[\ud800-\udfff]", value):
            raise ApiError(400, f"{name} is not valid Unicode text (it holds a lone surrogate)", field=name,
                           allowed=allowed(schema))
    elif "boolean" in types and isinstance(value, bool):
        pass
    elif "object" in types and isinstance(value, dict):
        value = _checked_object(name, value, schema)
    else:
        raise bad
    if "enum" in schema and value not in schema["enum"]:
        raise bad
    return value


def _checked_object(name: str, value: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    props: Mapping[str, Any] = schema.get("properties", {})
    prefix = "" if name == "body" else f"{name}."
    for key in value:
        if key not in props:
            raise ApiError(400, f"{prefix}{key} is not a field of this request", field=f"{prefix}{key}",
                           allowed="the fields " + ", ".join(props))
    for key in schema.get("required", ()):
        if key not in value:
            raise ApiError(400, f"{prefix}{key} is missing", field=f"{prefix}{key}", allowed=allowed(props[key]))
    out = {key: checked(f"{prefix}{key}", value[key], props[key]) for key in value}
    for key, prop in props.items():
        out.setdefault(key, _resolved(prop).get("default"))
    return out


def _checked_variant(name: str, value: Any, schema: Mapping[str, Any]) -> Any:
    """``oneOf`` by discriminator: the field named by ``propertyName`` chooses the variant."""
    key = schema["discriminator"]["propertyName"]
    mapping: Mapping[str, str] = schema["discriminator"]["mapping"]
    if not isinstance(value, dict):
        raise ApiError(400, f"{name} must be a JSON object", field=name, allowed="a JSON object")
    if not isinstance(value.get(key), str) or value[key] not in mapping:
        raise ApiError(400, f"{key} must be one of {', '.join(mapping)}", field=key,
                       allowed="one of " + ", ".join(mapping))
    return checked(name, value, {"$ref": mapping[value[key]]})


def _from_query(name: str, raw: str, schema: Mapping[str, Any]) -> Any:
    """A query string value as the type its schema says; integers are ASCII digits only."""
    schema = _resolved(schema)
    if "integer" in _types(schema):
        if not re.fullmatch(r"-?[0-9]{1,20}", raw):  # int() would read "²", "١٢", " 5", "1_0"
            raise ApiError(400, f"{name} must be {allowed(schema)}", field=name, allowed=allowed(schema))
        return checked(name, int(raw), schema)
    return checked(name, raw, schema)


def _json_body() -> Any:
    """The request body parsed as JSON: 415 unless ``application/json``, 400 if it is not JSON.
    Reading it raises 413 past the app's MAX_CONTENT_LENGTH."""
    if request.mimetype != "application/json":
        raise ApiError(415, "send the body as application/json", field="Content-Type", allowed="application/json")
    data = request.get_data(cache=True)
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply", field="body", allowed="a JSON object") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a repeated field
        raise ApiError(400, f"the body is not valid JSON: {exc}", field="body", allowed="a JSON object") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a field is given twice")
    return out


def inputs(path_args: Mapping[str, Any]) -> dict[str, Any]:
    """The current request's path parameters, query parameters and body (as ``body``), checked
    against its operation in :data:`OPENAPI`; absent optional parameters get their default (or
    None). Raises ApiError (400, 413, 415)."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", request.url_rule.rule if request.url_rule else "")
    operation = OPENAPI["paths"][path]["get" if request.method == "HEAD" else request.method.lower()]
    params = {p["name"]: p for p in operation.get("parameters", ())}
    out: dict[str, Any] = {}
    for name in request.args:
        spec = params.get(name)
        if spec is None or spec["in"] != "query":
            known = [p for p in params if params[p]["in"] == "query"]
            raise ApiError(400, f"{name} is not a parameter of {request.method} {request.path}", field=name,
                           allowed=("the parameters " + ", ".join(known)) if known else "no query parameters")
        values = request.args.getlist(name)
        if len(values) > 1:
            raise ApiError(400, f"{name} is given {len(values)} times; give it once", field=name,
                           allowed=allowed(spec["schema"]))
        out[name] = _from_query(name, values[0], spec["schema"])
    for name, spec in params.items():
        if spec["in"] == "path":
            out[name] = checked(name, path_args[name], spec["schema"])
        elif name not in out and spec.get("required"):
            raise ApiError(400, f"{name} is missing", field=name, allowed=allowed(spec["schema"]))
        elif name not in out:
            out[name] = _resolved(spec["schema"]).get("default")
    if "requestBody" in operation:
        out["body"] = checked("body", _json_body(), operation["requestBody"]["content"]["application/json"]["schema"])
    return out


def endpoint(*, token: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a view an API operation: the bearer token is checked first (``token=False``: a
    public operation), then every input by :func:`inputs`; the view gets them as keyword
    arguments and ``g.user``/``g.member`` are the caller."""
    def deco(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(**path_args: Any) -> Any:
            if token:
                auth = request.headers.get("Authorization", "")
                user = cur().accounts.api_user(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
                if user is None:
                    raise ApiError(401, "a valid API token is needed: Authorization: Bearer <token>",
                                   headers={"WWW-Authenticate": 'Bearer realm="curator"'})
                g.user = user
                g.member = cur().members.of_user(user)
            return view(**inputs(path_args))

        return wrapped

    return deco


@bp.before_app_request
def _unrouted() -> Response | None:
    """A path under /api/v1/ that no API route has (404), or a method it does not take (405,
    with ``Allow``), answered as JSON. Routing failed, so no blueprint's error handler would see
    the error: the pages' HTML handlers would. Runs before the app's own hooks; every other
    request passes through untouched."""
    exc, prefix = request.routing_exception, bp.url_prefix or ""
    if not (request.path == prefix or request.path.startswith(prefix + "/")) or not isinstance(exc, HTTPException):
        return None
    if exc.code == 405:
        methods = getattr(exc, "valid_methods", None) or []
        return _answer(ApiError(405, f"{request.method} is not allowed on {request.path}; use {', '.join(methods)}",
                                headers={"Allow": ", ".join(methods)}))
    if exc.code == 404:
        return _answer(ApiError(404, f"the API has no {request.path}; see /api/v1/openapi.json"))
    return None  # a redirect (a missing trailing slash) is not an error


# --------------------------------------------------------------------------- operations

def _item(i: Item, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "title": i.title, "url": i.url, "summary": i.summary, "lang": i.lang,
                           "areas": list(i.areas), "published": i.published.isoformat(), "kind": i.kind,
                           "author": i.author}
    if full:
        out["text"] = i.text
    return out


def _scored(s: ScoredItem) -> dict[str, Any]:
    return {**_item(s.item), "why": s.explanation, "score": s.score}


def _hit(h: SearchHit) -> dict[str, Any]:
    item = _item(h.item)
    return {"item_id": item.pop("id"), **item, "score": h.score, "snippet": h.snippet}


def _post(p: MemberPost) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "text": p.text, "link": p.link, "status": p.status, "reason": p.reason,
            "visibility": p.visibility, "submitted_at": p.submitted_at.isoformat(), "item_id": p.item_id}


@bp.get("/openapi.json")
@endpoint(token=False)
def openapi() -> Any:
    return jsonify(OPENAPI)


@bp.get("/feed")
@endpoint()
def feed(area: str | None, lang: str | None, limit: int) -> Any:
    entries = cur().feeds.member_feed(g.user, area=area, lang=lang, limit=limit)
    return jsonify({"items": [_scored(s) for s in entries]})


@bp.get("/items")
@endpoint()
def items(area: str | None, lang: str | None, q: str | None) -> Any:
    found = cur().feeds.browse(g.user, area=area, lang=lang, search=q or None, limit=50)
    return jsonify({"items": [_item(i) for i in found]})


@bp.get("/items/<int:item_id>")
@endpoint()
def item(item_id: int) -> Any:
    return jsonify(_item(cur().feeds.visible_item(g.user, item_id), full=True))


@bp.get("/search")
@endpoint()
def search(q: str, area: str | None, lang: str | None, limit: int) -> Any:
    hits = cur().items.search(q, member=g.member, area=area, lang=lang, limit=limit)
    return jsonify({"items": [_hit(h) for h in hits]})


@bp.post("/feedback")
@endpoint()
def feedback(body: dict[str, Any]) -> Any:
    stored = cur().feedback.give(g.user, body["item_id"], body["kind"], value=body.get("value"))
    return jsonify({"stored": stored}), 201


@bp.get("/posts")
@endpoint()
def posts(status: str | None) -> Any:
    c = cur()
    if status == "pending":
        if g.user.role not in ("editor", "admin"):
            raise ApiError(403, "only editors see the moderation queue; leave out status for your own posts")
        return jsonify({"posts": [_post(p) for p in c.posts.list("pending", 500)]})
    mine = [p for p in c.posts.list(None, 10_000) if (p.author_email or "").lower() == g.user.email.lower()]
    return jsonify({"posts": [_post(p) for p in mine]})


@bp.post("/posts")
@endpoint()
def submit_post(body: dict[str, Any]) -> Any:
    m = g.member
    if m is None:
        raise ApiError(403, "only members can submit posts; your account is not linked to a member")
    visibility = body["visibility"]
    may = {"public"} | ({"members"} | {f"club:{x}" for x in m.clubs} if m.status == "member" else set())
    if visibility not in may:
        raise ApiError(403, f"you may not post for {visibility}; you may use {', '.join(sorted(may))}",
                       field="visibility", allowed="one of " + ", ".join(sorted(may)))
    p = cur().posts.submit(title=body["title"], text=body["text"], author_name=m.name, author_email=m.email,
                           organisation=m.organisation, link=body["link"], visibility=visibility)
    return jsonify(_post(p)), 201


def _editor(what: str = "manage rules") -> None:
    if g.user.role not in ("editor", "admin"):
        raise ApiError(403, f"only editors {what}")


def _rule(r: EditorRule) -> dict[str, Any]:
    return {"id": r.id, "action": r.action, "match": r.match, "pattern": r.pattern, "segment": r.segment,
            "strength": r.strength, "note": r.note, "created_by": r.created_by,
            "created_at": r.created_at.isoformat() if r.created_at else None,
            "updated_at": r.updated_at.isoformat() if r.updated_at else None, "enabled": r.enabled}


def _rule_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {"segment": body["segment"], "strength": body.get("strength"), "note": body["note"]}


@bp.get("/rules")
@endpoint()
def rules() -> Any:
    _editor()
    return jsonify({"rules": [_rule(r) for r in cur().rules.list()]})


@bp.post("/rules/preview")
@endpoint()
def preview_rule(body: dict[str, Any]) -> Any:
    _editor()
    p = cur().rules.preview(body["action"], body["match"], body["pattern"], **_rule_fields(body))
    return jsonify({
        "action": p.rule.action, "match": p.rule.match, "pattern": p.rule.pattern, "segment": p.rule.segment,
        "strength": p.rule.strength, "days": p.days, "considered": p.considered, "matched": p.matched,
        "by_language": p.by_language, "members_in_segment": p.members_in_segment, "members_total": p.members_total,
        "examples": [{"item_id": e.item_id, "title": e.title, "lang": e.lang, "source_id": e.source_id,
                      "published": e.published.isoformat()} for e in p.examples]})


@bp.post("/rules")
@endpoint()
def add_rule(body: dict[str, Any]) -> Any:
    _editor()
    r = cur().rules.add(body["action"], body["match"], body["pattern"], editor=g.user.email, **_rule_fields(body))
    return jsonify(_rule(r)), 201


@bp.patch("/rules/<int:rule_id>")
@endpoint()
def change_rule(rule_id: int, body: dict[str, Any]) -> Any:
    _editor()
    c = cur()
    return jsonify(_rule(c.rules.enable(rule_id) if body["enabled"] else c.rules.disable(rule_id)))


@bp.delete("/rules/<int:rule_id>")
@endpoint()
def delete_rule(rule_id: int) -> Any:
    _editor()
    if not cur().rules.delete(rule_id):
        raise NotFound(f"no editor rule with id {rule_id}")
    return jsonify({"deleted": rule_id})


def _period_days(period: str) -> int:
    """``30d``, ``4w`` or ``30`` (days) as days. The description's pattern has checked the form,
    but its ``$`` lets a trailing line end through (as ``$`` does in Python), so it is matched whole."""
    match = re.fullmatch(r"([1-9][0-9]{0,2})([dw]?)", period)
    if match is None:
        raise ApiError(400, "period must be days or weeks such as 30d, 4w or 30", field="period",
                       allowed="days or weeks such as 30d, 4w or 30")
    return int(match[1]) * (7 if match[2] == "w" else 1)


@bp.get("/trends")
@endpoint()
def trends(period: str, lang: str) -> Any:
    """The worker's newest computation for periods of this length, as ``curator trends --json``
    prints its topics; before the first one, no topics and ``computed_at`` null (a request never
    starts the computation: it encodes thousands of items)."""
    _editor("read topic trends")
    days = _period_days(period)
    c = cur()
    report = c.trends.latest(days)
    if report is None:
        return jsonify({"period_days": days, "computed_at": None, "current_from": None, "until": None,
                        "items_current": 0, "items_previous": 0, "topics": []})
    return jsonify({"period_days": days, "computed_at": report.computed_at.isoformat(),
                    "current_from": report.current_from.isoformat(), "until": report.until.isoformat(),
                    "items_current": report.items_current, "items_previous": report.items_previous,
                    "topics": c.trends.summaries(report, lang)})


@bp.get("/sources.opml")
@endpoint()
def sources_opml(lang: str) -> Any:
    """Every source as OPML 2.0 (as ``curator sources export-opml``), folders named in ``lang``."""
    _editor("export the sources")
    return Response(cur().sources.export_opml(lang=lang), mimetype="text/x-opml",
                    headers={"Content-Disposition": 'attachment; filename="sources.opml"'})


# --------------------------------------------------------------------------- the description

_CONTROL = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""Control and bidirectional-override characters: never in a title, link or search."""
_CONTROL_BUT_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""The same without tab and line ends, which a post's text may hold."""

_HOST = "[A-Za-z0-9._~!$&'()*+,;=%-]*[A-Za-z0-9_~!$&'()*+,;=%-][A-Za-z0-9._~!$&'()*+,;=%-]*"
"""A host as the link rule for items accepts it in ASCII (RFC 3986 characters, not only dots).
Unicode host names are left out: which of them IDNA 2008 allows no pattern can say."""
_PORT = "(?::(?:[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_ITEM_KINDS = ["article", "member_post", "event", "tender", "member_news"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    what = {400: "bad input: the field and what it allows are named", 401: "no valid API token",
            403: "not allowed for this account", 404: "no such item, or one the caller may not see",
            413: "the body is larger than 1 MiB", 415: "the body is not application/json"}
    return {str(code): _json(_ref("Error"), what[code]) for code in codes}


def _query(name: str, schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _object(properties: Mapping[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": dict(properties), "required": list(properties) if required is None else required,
            "additionalProperties": False}


_ITEM_FIELDS = {
    "id": _ID, "title": {"type": "string"}, "url": {"type": ["string", "null"]}, "summary": {"type": "string"},
    "lang": {"type": ["string", "null"]}, "areas": {"type": "array", "items": {"type": "string", "enum": list(AREA_IDS)}},
    "published": {"type": "string", "format": "date-time"}, "kind": {"type": "string", "enum": _ITEM_KINDS},
    "author": {"type": ["string", "null"]}}
_AREA = _query("area", {"type": "string", "enum": list(AREA_IDS)}, "only items of this subject area")
_LANG = _query("lang", {"type": "string", "enum": list(LANGUAGES)}, "only items in this language")

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "curator member API", "version": "1",
             "description": "The member's feed, items, search, feedback and posts, and for editors the rules that "
                            "block or boost items, topic trends and the sources as OPML. Create a token on /me/tokens. Every "
                            "error is a JSON object {error, status} (bad input adds field and allowed); unknown "
                            "paths answer 404 and methods a path does not take 405, as JSON too."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Item": _object(_ITEM_FIELDS),
            "ItemWithText": _object({**_ITEM_FIELDS, "text": {"type": "string"}}),
            "RankedItem": _object({**_ITEM_FIELDS, "why": {"type": "string"}, "score": {"type": "number"}}),
            "SearchHit": _object({
                "item_id": _ID, **{k: v for k, v in _ITEM_FIELDS.items() if k != "id"},
                "score": {"type": "number", "description": "higher is better; comparable within one search only"},
                "snippet": {"type": "string", "description": "an HTML-escaped excerpt in which the query's words "
                                                             "are wrapped in <mark>"}}),
            "Post": _object({
                "id": _ID, "title": {"type": "string"}, "text": {"type": "string"}, "link": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
                "reason": {"type": ["string", "null"]}, "visibility": {"type": "string"},
                "submitted_at": {"type": "string", "format": "date-time"},
                "item_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}}),
            "Rule": _object({
                "id": _ID, "action": {"type": "string", "enum": ["block", "boost"]},
                "match": {"type": "string", "enum": ["source", "keyword", "author", "area"]},
                "pattern": {"type": "string"}, "segment": {"type": "string"}, "strength": {"type": "number"},
                "note": {"type": "string"}, "created_by": {"type": "string"},
                "created_at": {"type": ["string", "null"], "format": "date-time"},
                "updated_at": {"type": ["string", "null"], "format": "date-time"}, "enabled": {"type": "boolean"}}),
            "NewRule": _object({
                "action": {"type": "string", "enum": ["block", "boost"],
                           "description": "block: matching items never appear; boost: they rise"},
                "match": {"type": "string", "enum": ["source", "keyword", "author", "area"],
                          "description": "what pattern is: a source id, keywords or phrases, an author, an area id"},
                "pattern": {"type": "string", "minLength": 1, "maxLength": 500,
                            "pattern": f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$",
                            "description": "keywords and phrases are separated by |, matched as whole words in "
                                           "any case on title and text (write both languages: KI|künstliche "
                                           "Intelligenz|artificial intelligence); a trailing * matches a word's "
                                           "start"},
                "segment": {"type": "string", "maxLength": 300, "default": "everyone",
                            "pattern": f"^[^{_CONTROL}]*$",
                            "description": "everyone (the default), club:<id>, persona:<id>, area:<id>, "
                                           "language:<de|en> or filter:<name>?languages=..&clubs_any=.."},
                "strength": {"type": ["number", "null"], "minimum": 0.1, "maximum": 5, "default": None,
                             "description": "a boost's strength from 0.1 to 5, 1 if left out; ignored for a "
                                            "block"},
                "note": {"type": "string", "maxLength": 500, "default": "", "pattern": f"^[^{_CONTROL}]*$",
                         "description": "why; members see a boost's note in \"why you see this\""}},
                required=["action", "match", "pattern"]),
            "RulePreview": _object({
                "action": {"type": "string", "enum": ["block", "boost"]},
                "match": {"type": "string", "enum": ["source", "keyword", "author", "area"]},
                "pattern": {"type": "string"}, "segment": {"type": "string"}, "strength": {"type": "number"},
                "days": {"type": "integer"}, "considered": {"type": "integer", "minimum": 0},
                "matched": {"type": "integer", "minimum": 0},
                "by_language": {"type": "object", "additionalProperties": {"type": "integer"}},
                "members_in_segment": {"type": "integer", "minimum": 0},
                "members_total": {"type": "integer", "minimum": 0},
                "examples": {"type": "array", "items": _object({
                    "item_id": _ID, "title": {"type": "string"}, "lang": {"type": ["string", "null"]},
                    "source_id": {"type": "string"}, "published": {"type": "string", "format": "date-time"}})}}),
            "Topic": _object({
                "label": {"type": "string", "description": "the label in the requested language"},
                "label_en": {"type": "string"}, "label_de": {"type": "string"},
                "words": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                          "description": "distinctive words per language"},
                "areas": {"type": "array", "items": {"type": "string", "enum": list(AREA_IDS)},
                          "description": "areas of at least a quarter of the topic's items, most first"},
                "area_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "langs": {"type": "object", "additionalProperties": {"type": "integer"}},
                "items": {"type": "integer", "minimum": 0, "description": "items in the current period"},
                "previous": {"type": "integer", "minimum": 0, "description": "items in the period before"},
                "change": {"type": "number", "description": "change of the topic's share of all items (0.5 = +50 %)"},
                "rising": {"type": "boolean", "description": "true only past the significance threshold"},
                "falling": {"type": "boolean"}, "p_value": {"type": "number"},
                "examples": {"type": "array", "items": _object({
                    "item_id": _ID, "title": {"type": "string"}, "lang": {"type": ["string", "null"]}})},
                "engagement": {"type": "object", "description": "segment kind -> segment -> action -> events",
                               "additionalProperties": {"type": "object", "additionalProperties": {
                                   "type": "object", "additionalProperties": {"type": "integer"}}}}}),
            "TopicTrends": _object({
                "period_days": {"type": "integer", "minimum": 1},
                "computed_at": {"type": ["string", "null"], "format": "date-time",
                                "description": "null before the worker's first computation for this period"},
                "current_from": {"type": ["string", "null"], "format": "date-time"},
                "until": {"type": ["string", "null"], "format": "date-time"},
                "items_current": {"type": "integer", "minimum": 0}, "items_previous": {"type": "integer", "minimum": 0},
                "topics": {"type": "array", "items": _ref("Topic"), "description": "rising first, then by size"}}),
            "Error": _object({"error": {"type": "string"}, "status": {"type": "integer", "minimum": 400, "maximum": 599},
                              "field": {"type": "string"}, "allowed": {"type": "string"}}, required=["error", "status"]),
            "Rating": _object({"item_id": _ID, "kind": {"type": "string", "enum": ["rating"]},
                               "value": {"type": "number", "minimum": 1, "maximum": 5}}),
            "Action": _object({"item_id": _ID, "kind": {"type": "string", "enum": ["save", "hide", "more", "less"]}}),
            "NewPost": _object({
                "title": {"type": "string", "minLength": 1, "maxLength": 300,
                          "pattern": f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$",
                          "description": "one line of 1 to 300 characters, not only spaces, without control "
                                         "characters"},
                "text": {"type": "string", "minLength": 20, "maxLength": 20_000,
                         "pattern": f"^\\s*[^\\s{_CONTROL}][^{_CONTROL_BUT_LINES}]{{18,}}[^\\s{_CONTROL}]\\s*$",
                         "description": "20 to 20,000 characters once leading and trailing spaces are trimmed, "
                                        "without control characters other than tabs and line ends"},
                "link": {"type": ["string", "null"], "maxLength": 2000, "default": None,
                         "pattern": f"^https?://{_HOST}{_PORT}(?:[/?#][^\\s{_CONTROL}]*)?$",
                         "description": "a web address of at most 2000 characters: http:// or https://, a host "
                                        "name in ASCII (international names as xn--...), no user name, an "
                                        "optional port, no spaces"},
                "visibility": {"type": "string", "maxLength": 100, "default": "members",
                               "pattern": "^(public|members|club:[a-z0-9-]+)$",
                               "description": "public, members (the default) or club:<club-id> of a club you "
                                              "belong to"}}, required=["title", "text"]),
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/openapi.json": {"get": {
            "summary": "This description", "security": [],
            "responses": {"200": _json({"type": "object"}, "the OpenAPI 3.1 description"), **_errors(400)}}},
        "/api/v1/feed": {"get": {
            "summary": "The personal ranked feed with a reason per item",
            "parameters": [_AREA, _LANG, _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 30},
                                                "how many items, 30 if left out")],
            "responses": {"200": _json(_object({"items": {"type": "array", "items": _ref("RankedItem")}}),
                                       "items, best first"), **_errors(400, 401)}}},
        "/api/v1/items": {"get": {
            "summary": "Newest items the caller may see (at most 50)",
            "parameters": [_AREA, _LANG, _query("q", {"type": "string", "maxLength": 200, "pattern": f"^[^{_CONTROL}]*$",
                                                      "description": "text of at most 200 characters without "
                                                                     "control characters"},
                                                "words to search for in titles and texts")],
            "responses": {"200": _json(_object({"items": {"type": "array", "items": _ref("Item")}}), "items, newest first"),
                          **_errors(400, 401)}}},
        "/api/v1/search": {"get": {
            "summary": "Search the items the caller may see, in German and English: full text fused with semantic "
                       "search, so an English query also finds German articles and the reverse",
            "parameters": [
                {**_query("q", {"type": "string", "minLength": 1, "maxLength": 200, "pattern": f"^[^{_CONTROL}]*$",
                                "description": "text of 1 to 200 characters without control characters"},
                          "what to search for (words; a query without letters or digits finds nothing)"),
                 "required": True},
                _AREA, _LANG, _query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 20},
                                     "how many results, 20 if left out")],
            "responses": {"200": _json(_object({"items": {"type": "array", "items": _ref("SearchHit")}}),
                                       "results, best first"), **_errors(400, 401)}}},
        "/api/v1/items/{item_id}": {"get": {
            "summary": "One item (404 if it does not exist or is not visible)",
            "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": _ID}],
            "responses": {"200": _json(_ref("ItemWithText"), "the item"), **_errors(400, 401, 404)}}},
        "/api/v1/feedback": {"post": {
            "summary": "Rate (value 1 to 5), save, hide, more or less like this",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [_ref("Rating"), _ref("Action")],
                "discriminator": {"propertyName": "kind", "mapping": {
                    "rating": "#/components/schemas/Rating", "save": "#/components/schemas/Action",
                    "hide": "#/components/schemas/Action", "more": "#/components/schemas/Action",
                    "less": "#/components/schemas/Action"}}}}}},
            "responses": {"201": _json(_object({"stored": {"type": "boolean"}}),
                                       "stored is false when nothing new was recorded"),
                          **_errors(400, 401, 403, 404, 413, 415)}}},
        "/api/v1/posts": {
            "get": {"summary": "The caller's own posts (editors: status=pending for the moderation queue)",
                    "parameters": [_query("status", {"type": "string", "enum": ["pending"]},
                                          "pending: the moderation queue, for editors only")],
                    "responses": {"200": _json(_object({"posts": {"type": "array", "items": _ref("Post")}}), "posts"),
                                  **_errors(400, 401, 403)}},
            "post": {"summary": "Submit a post for moderation",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewPost")}}},
                     "responses": {"201": _json(_ref("Post"), "the pending post"),
                                   **_errors(400, 401, 403, 413, 415)}}},
        "/api/v1/rules": {
            "get": {"summary": "Editors: every rule that blocks or boosts items, oldest first",
                    "responses": {"200": _json(_object({"rules": {"type": "array", "items": _ref("Rule")}}), "rules"),
                                  **_errors(400, 401, 403)}},
            "post": {"summary": "Editors: save a rule (enabled); stored feeds are ranked again by the worker, "
                                "blocked items leave pages at once",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewRule")}}},
                     "responses": {"201": _json(_ref("Rule"), "the saved rule"),
                                   **_errors(400, 401, 403, 413, 415)}}},
        "/api/v1/rules/preview": {"post": {
            "summary": "Editors: what a rule would hide or lift among the items of the last 30 days (nothing is "
                       "saved)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewRule")}}},
            "responses": {"200": _json(_ref("RulePreview"), "counts and the newest matching items"),
                          **_errors(400, 401, 403, 413, 415)}}},
        "/api/v1/rules/{rule_id}": {
            "patch": {"summary": "Editors: switch a rule off or on",
                      "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": _ID}],
                      "requestBody": {"required": True, "content": {"application/json": {
                          "schema": _object({"enabled": {"type": "boolean"}})}}},
                      "responses": {"200": _json(_ref("Rule"), "the rule as stored"),
                                    **_errors(400, 401, 403, 404, 413, 415)}},
            "delete": {"summary": "Editors: delete a rule",
                       "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": _ID}],
                       "responses": {"200": _json(_object({"deleted": _ID}), "the id of the deleted rule"),
                                     **_errors(400, 401, 403, 404)}}},
        "/api/v1/trends": {"get": {
            "summary": "Editors: topics of recent items from the worker's newest computation (job "
                       "compute_topic_trends), which rise or fall against the period before and which segments "
                       "engage with them; the topics are those of `curator trends --json`",
            "parameters": [
                _query("period", {"type": "string", "maxLength": 4, "pattern": "^[1-9][0-9]{0,2}[dw]?$",
                                  "default": "30d", "description": "days or weeks such as 30d, 4w or 30"},
                       "length of the current period, compared with the same length before it; 30d if left out"),
                _query("lang", {"type": "string", "enum": list(LANGUAGES), "default": "en"},
                       "language of the labels, en if left out")],
            "responses": {"200": _json(_ref("TopicTrends"), "the newest computation (no topics before the first)"),
                          **_errors(400, 401, 403)}}},
        "/api/v1/sources.opml": {"get": {
            "summary": "Editors: every source (of the feeds file and the console) as an OPML 2.0 file for feed "
                       "readers, a folder per subject area; `curator sources import-opml` reads it back",
            "parameters": [_query("lang", {"type": "string", "enum": list(LANGUAGES), "default": "en"},
                                  "language of the folder names, en if left out")],
            "responses": {"200": {"description": "the OPML file", "content": {
                              "text/x-opml": {"schema": {"type": "string"}}}},
                          **_errors(400, 401, 403)}}},
    },
}
