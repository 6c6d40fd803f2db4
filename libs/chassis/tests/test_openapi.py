"""The OpenAPI document says, for every operation, who may call it and which problems it
answers, each a ProblemDetail served as application/problem+json."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, File, UploadFile
from pydantic import BaseModel

from aftersales_chassis import (
    Grant,
    Principal,
    ProblemDetail,
    Role,
    ServiceDefinition,
    ServiceSettings,
    allow,
    create_app,
    problems,
    service_router,
)
from aftersales_chassis.roles import AgentOrSupervisor, SupervisorOnly

from .kit import Harness

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}
Approver = Annotated[Principal, Depends(allow(Role.supervisor, Grant(Role.agent, "refund:approve")))]


class NoteIn(BaseModel):
    text: str


def _app() -> FastAPI:
    router = service_router(
        prefix="/notes", responses=problems(404, 409, descriptions={404: "Not found: no such note"})
    )

    @router.get("")
    async def list_notes(_: AgentOrSupervisor) -> list[str]:
        return []

    @router.get("/{note_id}", summary="One note")
    async def get_note(note_id: int, _: AgentOrSupervisor) -> str:
        """A note by id."""
        return ""

    @router.post("/{note_id}/approve", responses=problems(409))
    async def approve(note_id: int, body: NoteIn, _: Approver) -> str:
        """Roles: supervisors, and agents holding refund:approve. Said here already."""
        return ""

    @router.post("/{note_id}/attachments", status_code=201)
    async def attach(note_id: int, file: Annotated[UploadFile, File()], _: AgentOrSupervisor) -> str:
        return ""

    @router.get("/public/version")
    async def version() -> str:
        return "1"

    definition = ServiceDefinition(
        name="notes",
        title="Notes",
        description="For the OpenAPI tests.",
        settings_factory=ServiceSettings,
        routers=[router],
    )
    return create_app(definition)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _app().openapi()


def test_a_guarded_operation_documents_its_roles_401_and_403(spec: dict[str, Any]) -> None:
    listing = spec["paths"]["/notes"]["get"]
    assert listing["x-roles"] == ["agent", "supervisor"]
    assert listing["description"] == "Roles: agent, supervisor."
    for status in ("401", "403"):
        assert listing["responses"][status]["content"] == PROBLEM
    one = spec["paths"]["/notes/{note_id}"]["get"]
    assert one["description"] == "A note by id.\n\nRoles: agent, supervisor."  # appended to what it says


def test_scoped_grants_are_listed_and_a_description_that_says_its_roles_is_kept(spec: dict[str, Any]) -> None:
    approve = spec["paths"]["/notes/{note_id}/approve"]["post"]
    assert approve["x-roles"] == ["supervisor", "agent[refund:approve]"]
    assert approve["description"] == "Roles: supervisors, and agents holding refund:approve. Said here already."


def test_inputs_give_a_422_writes_a_409_and_declared_problems_their_own_description(spec: dict[str, Any]) -> None:
    listing = spec["paths"]["/notes"]["get"]["responses"]
    assert set(listing) == {"200", "401", "403", "404"}  # no inputs, so no 422; its router's 404
    one = spec["paths"]["/notes/{note_id}"]["get"]["responses"]
    assert one["404"] == {"description": "Not found: no such note", "content": PROBLEM}
    assert one["422"]["content"] == PROBLEM
    assert "409" not in one  # a read, although its router declares 409 for its actions
    approve = spec["paths"]["/notes/{note_id}/approve"]["post"]["responses"]
    assert set(approve) == {"200", "401", "403", "404", "409", "422"}
    assert approve["409"]["description"].startswith("Conflict: not allowed in the current state")


def test_a_public_operation_has_no_roles_and_health_is_public(spec: dict[str, Any]) -> None:
    version = spec["paths"]["/notes/public/version"]["get"]
    assert "x-roles" not in version
    assert not {"401", "403", "422"} & set(version["responses"])
    for path in ("/healthz", "/readyz"):
        assert "x-roles" not in spec["paths"][path]["get"]


def test_the_problem_schema_is_in_the_components_and_fastapis_own_422_is_not(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    problem = schemas["ProblemDetail"]
    assert {"type", "title", "status"} <= set(problem["required"])
    assert {"detail", "instance", "errors", "rule", "current_state", "allowed_actions", "allowed"} <= set(
        problem["properties"]
    )
    assert problem["properties"]["errors"]["anyOf"][0]["items"] == {"$ref": "#/components/schemas/ProblemFieldError"}
    assert set(schemas["ProblemFieldError"]["properties"]) == {"field", "message", "code"}
    assert "HTTPValidationError" not in schemas


def test_two_role_checks_on_one_route_are_refused() -> None:
    router = service_router()
    with pytest.raises(TypeError, match="2 role checks"):

        @router.get("/both")
        async def both(_: AgentOrSupervisor, __: SupervisorOnly) -> None:
            return None


async def test_the_problems_the_handlers_send_fit_the_schema(harness: Harness) -> None:
    invalid = (await harness.client.post("/widgets", json={"quantity": 0}, headers=harness.auth(Role.agent))).json()
    assert [e.field for e in ProblemDetail.model_validate(invalid).errors or []] == ["body.name", "body.quantity"]
    forbidden = (await harness.client.post("/widgets", json={}, headers=harness.auth(Role.customer))).json()
    assert ProblemDetail.model_validate(forbidden).allowed == ["agent", "supervisor"]
    refused = await harness.client.post(
        "/widgets/doomed", json={"name": "w", "quantity": 1}, headers=harness.auth(Role.agent)
    )
    assert ProblemDetail.model_validate(refused.json()).rule == "W1"


def test_links_lead_from_an_answer_to_what_can_be_done_next() -> None:
    """``add_links``: a created member to its operations, a page to its first item, an action
    to the member's other operations, a named ``<thing>_id`` to that thing's operations."""
    from aftersales_chassis.openapi import add_links

    ok = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReturnOut"}}}}
    page = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}
    schema: dict[str, Any] = {
        "paths": {
            "/returns": {
                "post": {"operationId": "create", "responses": {"201": ok}},
                "get": {"operationId": "list", "responses": {"200": page}},
            },
            "/returns/{return_id}": {"get": {"operationId": "get", "responses": {"200": ok}}},
            "/returns/{return_id}/approve": {"post": {"operationId": "approve", "responses": {"200": ok}}},
            "/orders/{order_id}": {"get": {"operationId": "order", "responses": {"200": {}}}},
            "/calendar/{day}": {"get": {"operationId": "day", "responses": {"200": {}}}},
        },
        "components": {
            "schemas": {
                "ReturnOut": {"properties": {"id": {"type": "string"}, "order_id": {"type": "string"}}},
                "Page": {
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ReturnOut"}}}
                },
            }
        },
    }
    add_links(schema)
    paths = schema["paths"]
    created = paths["/returns"]["post"]["responses"]["201"]["links"]
    assert created["get"] == {"operationId": "get", "parameters": {"path.return_id": "$response.body#/id"}}
    assert created["approve"]["parameters"] == {"path.return_id": "$response.body#/id"}
    assert created["order"]["parameters"] == {"path.order_id": "$response.body#/order_id"}
    assert "day" not in created  # nothing names a day
    listed = paths["/returns"]["get"]["responses"]["200"]["links"]
    assert listed["approve"]["parameters"] == {"path.return_id": "$response.body#/items/0/id"}
    approved = paths["/returns/{return_id}/approve"]["post"]["responses"]["200"]["links"]
    assert approved["get"]["parameters"] == {"path.return_id": "$request.path.return_id"}
    assert "approve" not in approved  # not to itself
    assert "links" not in paths["/orders/{order_id}"]["get"]["responses"]["200"]  # no JSON body to follow


def test_a_multipart_upload_documents_the_400_of_a_body_that_cannot_be_parsed(spec: dict[str, Any]) -> None:
    upload = spec["paths"]["/notes/{note_id}/attachments"]["post"]
    assert upload["responses"]["400"]["content"] == PROBLEM
    assert "multipart" in upload["responses"]["400"]["description"]
    json_body = spec["paths"]["/notes/{note_id}/approve"]["post"]
    assert "400" not in json_body["responses"]
