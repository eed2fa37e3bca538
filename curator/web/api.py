"""The JSON API: feed, items, feedback, posts, described by OpenAPI 3.1 at ``/api/v1/openapi.json``.

Authentication is ``Authorization: Bearer <token>`` only (tokens are created on /me/tokens). The
session cookie is never read here, which is why the API needs no CSRF token: a cross-site form
cannot set that header. Items follow the same access rule as the pages; an item the caller may
not see is a 404 like one that does not exist.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request

from ..errors import AccessDenied, CuratorError, InvalidInput, NotFound
from ..types import AREA_IDS, LANGUAGES, Item, MemberPost
from .app import cur

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _problem(status: int, message: str) -> Any:
    return jsonify({"error": message, "status": status}), status


@bp.errorhandler(NotFound)
def _nf(exc: NotFound) -> Any:
    return _problem(404, "not found")


@bp.errorhandler(404)
def _nf404(exc: Any) -> Any:
    return _problem(404, "not found")


@bp.errorhandler(InvalidInput)
def _bad(exc: InvalidInput) -> Any:
    return _problem(400, str(exc))


@bp.errorhandler(AccessDenied)
def _denied(exc: AccessDenied) -> Any:
    return _problem(403, str(exc))


@bp.errorhandler(CuratorError)
def _other(exc: CuratorError) -> Any:
    return _problem(409, str(exc))


def token_required(view: Any) -> Any:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        auth = request.headers.get("Authorization", "")
        user = cur().accounts.api_user(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
        if user is None:
            resp, status = _problem(401, "a valid API token is needed: Authorization: Bearer <token>")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="curator"'
            return resp, status
        g.user = user
        g.member = cur().members.of_user(user)
        return view(*args, **kwargs)

    return wrapped


def _item(i: Item, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "title": i.title, "url": i.url, "summary": i.summary, "lang": i.lang,
                           "areas": list(i.areas), "published": i.published.isoformat(), "kind": i.kind,
                           "author": i.author}
    if full:
        out["text"] = i.text
    return out


def _post(p: MemberPost) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "text": p.text, "link": p.link, "status": p.status, "reason": p.reason,
            "visibility": p.visibility, "submitted_at": p.submitted_at.isoformat(), "item_id": p.item_id}


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(OPENAPI)


@bp.get("/feed")
@token_required
def feed() -> Any:
    area = request.args.get("area")
    lang = request.args.get("lang")
    limit = max(1, min(int(request.args.get("limit", "30") or 30), 100)) if (request.args.get("limit") or "30").isdigit() else 30
    entries = cur().feeds.member_feed(g.user, area=area if area in AREA_IDS else None,
                                lang=lang if lang in LANGUAGES else None, limit=limit)
    return jsonify({"items": [{**_item(s.item), "why": s.explanation, "score": s.score} for s in entries]})


@bp.get("/items")
@token_required
def items() -> Any:
    area = request.args.get("area")
    lang = request.args.get("lang")
    q = (request.args.get("q") or "")[:200]
    found = cur().feeds.browse(g.user, area=area if area in AREA_IDS else None,
                               lang=lang if lang in LANGUAGES else None, search=q or None, limit=50)
    return jsonify({"items": [_item(i) for i in found]})


@bp.get("/items/<int:item_id>")
@token_required
def item(item_id: int) -> Any:
    return jsonify(_item(cur().feeds.visible_item(g.user, item_id), full=True))


@bp.post("/feedback")
@token_required
def feedback() -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput('send a JSON object: {"item_id": 1, "kind": "rating", "value": 4}')
    kind = str(data.get("kind", ""))
    if kind not in ("rating", "save", "hide", "more", "less"):
        raise InvalidInput("kind must be rating, save, hide, more or less")
    try:
        item_id = int(data.get("item_id"))  # type: ignore[arg-type]
        value = None if data.get("value") is None else float(data["value"])
    except (TypeError, ValueError):
        raise InvalidInput("item_id must be a number and value a number from 1 to 5") from None
    stored = cur().feedback.give(g.user, item_id, kind, value=value)
    return jsonify({"stored": stored}), 201


@bp.get("/posts")
@token_required
def posts() -> Any:
    c = cur()
    if g.user.role in ("editor", "admin") and request.args.get("status") == "pending":
        return jsonify({"posts": [_post(p) for p in c.posts.list("pending", 500)]})
    mine = [p for p in c.posts.list(None, 10_000) if (p.author_email or "").lower() == g.user.email.lower()]
    return jsonify({"posts": [_post(p) for p in mine]})


@bp.post("/posts")
@token_required
def submit_post() -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput('send a JSON object: {"title": "...", "text": "...", "link": null}')
    m = g.member
    if m is None:
        raise AccessDenied("only members can submit posts")
    visibility = str(data.get("visibility") or "members")
    allowed = {"public"} | ({"members"} | {f"club:{x}" for x in m.clubs} if m.status == "member" else set())
    if visibility not in allowed:
        raise InvalidInput("visibility must be public, members or a club you belong to")
    p = cur().posts.submit(title=str(data.get("title") or ""), text=str(data.get("text") or ""),
                          author_name=m.name, author_email=m.email, organisation=m.organisation,
                          link=data.get("link") if isinstance(data.get("link"), str) else None, visibility=visibility)
    return jsonify(_post(p)), 201


def _schema_item() -> dict[str, Any]:
    return {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": ["string", "null"]},
        "summary": {"type": "string"}, "lang": {"type": ["string", "null"]},
        "areas": {"type": "array", "items": {"type": "string", "enum": list(AREA_IDS)}},
        "published": {"type": "string", "format": "date-time"}, "kind": {"type": "string"},
        "author": {"type": ["string", "null"]}, "text": {"type": "string"}}}


_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_Q = [{"name": "area", "in": "query", "schema": {"type": "string", "enum": list(AREA_IDS)}},
      {"name": "lang", "in": "query", "schema": {"type": "string", "enum": list(LANGUAGES)}}]

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "curator member API", "version": "1",
             "description": "The member's feed, items, feedback and posts. Create a token on /me/tokens."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Item": _schema_item(),
            "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            "Post": {"type": "object", "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"}, "text": {"type": "string"},
                "link": {"type": ["string", "null"]}, "status": {"type": "string",
                                                                 "enum": ["pending", "approved", "rejected"]},
                "reason": {"type": ["string", "null"]}, "visibility": {"type": "string"},
                "submitted_at": {"type": "string", "format": "date-time"}, "item_id": {"type": ["integer", "null"]}}},
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/feed": {"get": {"summary": "The personal ranked feed with a reason per item", "parameters": _Q + [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
            "responses": {"200": {"description": "items, best first", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"items": {"type": "array", "items": {"allOf": [
                    {"$ref": "#/components/schemas/Item"},
                    {"type": "object", "properties": {"why": {"type": "string"}, "score": {"type": "number"}}}]}}}}}}},
                "401": _ERR}}},
        "/api/v1/items": {"get": {"summary": "Newest items the caller may see", "parameters": _Q + [
            {"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "items", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"items": {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/Item"}}}}}}},
                "401": _ERR}}},
        "/api/v1/items/{item_id}": {"get": {"summary": "One item (404 if it does not exist or is not visible)",
                                            "parameters": [{"name": "item_id", "in": "path", "required": True,
                                                            "schema": {"type": "integer"}}],
                                            "responses": {"200": {"description": "the item", "content": {
                                                "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                                                "401": _ERR, "404": _ERR}}},
        "/api/v1/feedback": {"post": {"summary": "Rate, save, hide, more or less like this", "requestBody": {
            "required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["item_id", "kind"],
                                                                          "properties": {"item_id": {"type": "integer"},
                                                                                         "kind": {"type": "string", "enum": ["rating", "save", "hide", "more", "less"]},
                                                                                         "value": {"type": "number", "minimum": 1, "maximum": 5}}}}}},
            "responses": {"201": {"description": "stored"}, "400": _ERR, "401": _ERR, "404": _ERR}}},
        "/api/v1/posts": {
            "get": {"summary": "The caller's own posts (editors: ?status=pending for the queue)",
                    "responses": {"200": {"description": "posts", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"posts": {"type": "array",
                                                                   "items": {"$ref": "#/components/schemas/Post"}}}}}}},
                        "401": _ERR}},
            "post": {"summary": "Submit a post for moderation", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "required": ["title", "text"], "properties": {
                    "title": {"type": "string"}, "text": {"type": "string"}, "link": {"type": ["string", "null"]},
                    "visibility": {"type": "string"}}}}}},
                "responses": {"201": {"description": "the pending post", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Post"}}}}, "400": _ERR, "401": _ERR, "403": _ERR}}},
    },
}
