"""What the OpenAPI document says about errors and roles, declared once.

Every error is an RFC 9457 problem (:mod:`.problems`); :class:`ProblemDetail` is its
schema, served as ``application/problem+json``. The unit-of-work route documents by
itself, for each operation (:func:`document_operation`):

- 401 and 403 when a dependency made by ``allow(...)`` guards it, with the roles as the
  extension ``x-roles`` (``["supervisor", "agent[refund:approve]"]``) and, unless its
  description already says them, a sentence ``Roles: ...``;
- 409 for a write (a concurrent change or stored data can refuse any write);
- 422 when it takes parameters or a body.

What an operation answers because of its domain (no such resource, not in this state) is
declared on the route or its router in one short form: ``responses=problems(404, 409)``.

The document also carries OpenAPI **links** between operations (:func:`add_links`), derived
from the paths once for every service, so that a client or a stateful test generator
(schemathesis) can follow a resource from the answer that made it to what can be done with
it next: ``POST /returns`` → ``/returns/{return_id}/...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from .auth import Grant
from .problem_handlers import PROBLEM_BASE, PROBLEM_JSON

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REF = "#/components/schemas/ProblemDetail"
_STATES_ROLES = re.compile(r"\bRoles?:")

Responses = dict[int | str, dict[str, Any]]


class ProblemFieldError(BaseModel):
    """One invalid field of a request (a 422 ``validation-error``)."""

    field: str = Field(description="Where: `body.lines[0].quantity`, `query.month`, `header.Idempotency-Key`.")
    message: str
    code: str = Field(description="The kind of error, e.g. `missing`, `greater_than_equal`.")


class ProblemDetail(BaseModel):
    """An RFC 9457 problem, with the extensions this platform's problems carry. A problem
    type may add others (e.g. `id` of the conflicting resource)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="The problem type, a URI.", examples=[PROBLEM_BASE + "invalid-transition"])
    title: str = Field(description="The problem type, in words.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="This occurrence, in words.")
    instance: str | None = Field(default=None, description="This occurrence, a URI.")
    errors: list[ProblemFieldError] | None = Field(default=None, description="422 `validation-error`: each field.")
    rule: str | None = Field(default=None, description="The business rule that refused the request (422, 409).")
    field: str | None = Field(default=None, description="The request field a rule refused.")
    parameter: str | None = Field(default=None, description="The query or path parameter refused.")
    header: str | None = Field(default=None, description="The request header refused.")
    resource: str | None = Field(default=None, description="404: what was not found.")
    action: str | None = Field(default=None, description="409 `invalid-transition`: the action refused.")
    current_state: str | None = Field(default=None, description="409 `invalid-transition`: the state it is in.")
    allowed_actions: list[str] | None = Field(default=None, description="409: the actions allowed now.")
    allowed: list[str] | None = Field(default=None, description="403: the roles that may.")


DESCRIPTIONS: Mapping[int, str] = {
    400: "Malformed multipart body: the form data could not be parsed (a part without a name, a broken "
    "boundary); sent again whole, it is read",
    401: "Unauthenticated: no bearer token, or an invalid or expired one",
    403: "Forbidden: the token's roles do not admit this operation (`allowed` lists those that do), "
    "or the resource is not the caller's",
    404: "Not found: no such resource (`resource` says which)",
    409: "Conflict: not allowed in the current state (`current_state`, `allowed_actions`), "
    "or it conflicts with stored data",
    422: "Invalid request: `errors` names each invalid field, `rule` the business rule that refused it",
    503: "Unavailable: the database or the broker cannot be reached",
}
WRITE_CONFLICT = "Conflict: stored data or a concurrent change refuses the write (`retry`: send it again)"


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": REF}}},
    }


def problems(*statuses: int, descriptions: Mapping[int, str] | None = None) -> Responses:
    """``responses=`` for the problems an operation (or every operation of a router) can
    answer, each a :class:`ProblemDetail` with the standard description or the one given."""
    given = descriptions or {}
    return {status: problem_response(status, given.get(status)) for status in statuses}


def resent(model: type[BaseModel], description: str) -> Responses:
    """``responses=`` of a POST that answers 201 for what it made and 200 for what it already
    held (a resend of the same message, the same source and step): the 200 documented with
    its body, so a client generated from the document expects it."""
    return {200: {"model": model, "description": description}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def route_grants(route: APIRoute) -> tuple[Grant, ...] | None:
    """The grants of the route's ``allow(...)`` dependency; None for a public route."""
    found = {id(call): call for call in _calls(route.dependant) if hasattr(call, "allowed_grants")}
    if len(found) > 1:
        raise TypeError(f"{route.path} has {len(found)} role checks: declare one allow(...)")
    grants: tuple[Grant, ...] | None = next(iter(found.values())).allowed_grants if found else None
    return grants


def _takes_form(route: APIRoute) -> bool:
    """A multipart or URL-encoded body (``File()``/``Form()`` parameters)."""
    return route.body_field is not None and isinstance(route.body_field.field_info, params.Form)


def _takes_input(route: APIRoute) -> bool:
    """Parameters (path, query, header, cookie) or a body: FastAPI's own test for a 422."""
    return bool(get_flat_params(route.dependant)) or route.body_field is not None


def document_operation(route: APIRoute) -> None:
    """Adds what the route itself shows (roles, writes, inputs) to its documented answers;
    what the route declares wins."""
    found: Responses = {}
    grants = route_grants(route)
    if grants is not None:
        roles = [str(grant) for grant in grants]
        found[401] = problem_response(401)
        found[403] = problem_response(403)
        route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": roles}
        if not _STATES_ROLES.search(route.description):
            route.description = "\n\n".join(filter(None, [route.description, f"Roles: {', '.join(roles)}."]))
    writes = bool((route.methods or set()) & MUTATING)
    if writes:
        found[409] = problem_response(409, WRITE_CONFLICT)
    if _takes_input(route):
        found[422] = problem_response(422)
    if _takes_form(route):
        # Starlette's form parser answers a body it cannot split into parts with a 400 before
        # any field is validated: said where it can happen (generated clients test for it).
        found[400] = problem_response(400)
    declared = route.responses
    if not writes:
        # A router's problems(404, 409) is for its actions: a read changes no state to conflict with.
        declared = {status: answer for status, answer in declared.items() if str(status) != "409"}
    merged = {**found, **{status: {**found.get(status, {}), **answer} for status, answer in declared.items()}}
    route.responses = dict(sorted(merged.items(), key=lambda item: str(item[0])))


_PARAM = re.compile(r"^\{([^}]+)\}$")
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _resolve(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = components.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    return schema


def _properties(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    properties: Mapping[str, Any] = _resolve(schema, components).get("properties") or {}
    return properties


def _success_bodies(operation: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for status, response in (operation.get("responses") or {}).items():
        if str(status).startswith("2"):
            body = ((response.get("content") or {}).get("application/json") or {}).get("schema")
            if body:
                yield str(status), body


def _path_params(path: str) -> list[tuple[int, str]]:
    return [(i, m.group(1)) for i, part in enumerate(path.split("/")) if (m := _PARAM.match(part))]


def _sources(path: str, body: Mapping[str, Any], components: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """``(prefix, parameters)``: operations under ``prefix`` can follow this answer, given the
    parameters (target path parameter → runtime expression)."""
    own = {name: f"$request.path.{name}" for _, name in _path_params(path)}
    properties = _properties(body, components)
    if "id" in properties:
        yield path, {**own, "": "$response.body#/id"}  # the new member: {path}/{its id}
    items = properties.get("items")
    if items is not None and "id" in _properties(_resolve(items, components).get("items") or {}, components):
        yield path, {**own, "": "$response.body#/items/0/id"}  # a listed member
    parts = path.split("/")
    params = _path_params(path)
    if params:
        last = params[-1][0]
        yield "/".join(parts[: last + 1]), own  # the same resource, its other operations
    for name, value in properties.items():
        if name.endswith("_id") and name not in own and _resolve(value, components).get("type") in {"string", None}:
            yield "", {name: f"$response.body#/{name}"}  # another resource it names, by its id


def add_links(schema: dict[str, Any]) -> None:
    """Adds OpenAPI links to every success answer, derived from the paths:

    - an answer with an ``id`` (a created or a fetched member) links to the operations on
      ``{its path}/{param}/...``, the id as that parameter: ``POST /returns`` →
      ``GET /returns/{return_id}``, ``POST /returns/{return_id}/approve``;
    - a page (``items`` with ``id``) links the same way to its first item;
    - an operation on a member links to the member's other operations, its path parameters
      passed on: ``POST /returns/{return_id}/approve`` → ``.../receipt``, ``.../refund``;
    - a ``<thing>_id`` in the answer links to the operations whose first path parameter has
      that name: a review's ``case_id`` → ``/cases/{case_id}/...``.
    """
    components = (schema.get("components") or {}).get("schemas") or {}
    paths: Mapping[str, Any] = schema.get("paths") or {}
    targets = [
        (path, method, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if method in _HTTP_METHODS and "operationId" in operation and _path_params(path)
    ]
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in _HTTP_METHODS:
                continue
            for status, body in _success_bodies(operation):
                links: dict[str, Any] = {}
                for prefix, given in _sources(path, body, components):
                    for target_path, target_method, target in targets:
                        if (target_path, target_method) == (path, method):
                            continue
                        parameters = _link_parameters(prefix, given, target_path)
                        if parameters is not None:
                            links[target["operationId"]] = {
                                "operationId": target["operationId"],
                                "parameters": parameters,
                            }
                if links:  # a copy: operations may share one response object
                    operation["responses"][status] = {**operation["responses"][status], "links": links}


def _link_parameters(prefix: str, given: Mapping[str, str], target_path: str) -> dict[str, str] | None:
    """The link's parameters when ``target_path`` is one the source can reach, else None."""
    target_params = _path_params(target_path)
    if prefix == "":  # by name: the target's first path parameter is the one given
        (name, expression), *_ = given.items()
        if not target_params or target_params[0][1] != name:
            return None
        return {f"path.{name}": expression}
    if "" in given:  # a member of the collection at prefix
        if not target_path.startswith(prefix + "/"):
            return None
        rest = target_path[len(prefix) + 1 :].split("/")
        member = _PARAM.match(rest[0])
        if member is None:
            return None
        known = {name: value for name, value in given.items() if name}
        parameters = {f"path.{name}": known[name] for _, name in target_params if name in known}
        parameters[f"path.{member.group(1)}"] = given[""]
        return parameters if len(parameters) == len(target_params) else None
    if target_path != prefix and not target_path.startswith(prefix + "/"):
        return None  # the same member: its other operations
    parameters = {f"path.{name}": given[name] for _, name in target_params if name in given}
    return parameters if len(parameters) == len(target_params) else None


def install_problem_schema(app: FastAPI) -> None:
    """Puts :class:`ProblemDetail` (and what it refers to) in the app's OpenAPI components,
    and the links between operations (:func:`add_links`) in the document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        found = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(found.pop("$defs", {}))
        schemas["ProblemDetail"] = found
        add_links(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
