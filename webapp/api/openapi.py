"""The route table of the API and the OpenAPI 3.1 document built from it.

Every API view is declared with `operation(...)`, which records its path, method, the pydantic
model of its body and of its answer; the document is generated from that table and from the
models' JSON Schema, so a route cannot exist without being documented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from webapp import __version__
from webapp.api import schemas

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  #: Flask rule under the blueprint, e.g. /assessments/<int:assessment_id>
    summary: str
    response: type[BaseModel]
    body: type[BaseModel] | None = None
    write: bool = False

    @property
    def path(self) -> str:
        return "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)


OPERATIONS: list[Operation] = []

ERRORS = {
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token is read-only, or the role in the team does not allow this.",
    "404": "No such thing, or it belongs to a team the token's user is not in.",
    "429": "Too many requests with this token; wait and retry.",
}


def register(op: Operation) -> None:
    OPERATIONS.append(op)


def _schemas() -> tuple[dict[Any, Any], dict[str, Any]]:
    """(model, mode) -> its `$ref`, and the component schemas. Bodies are documented as they
    are validated, answers as they are serialized."""
    pairs = {(schemas.Problem, "serialization")}
    for op in OPERATIONS:
        pairs.add((op.response, "serialization"))
        if op.body is not None:
            pairs.add((op.body, "validation"))
    ordered = sorted(pairs, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, top = models_json_schema(ordered, ref_template=REF)
    return refs, top.get("$defs", {})


def _problem(refs, description: str) -> dict[str, Any]:
    return {"description": description, "content": {
        "application/problem+json": {"schema": refs[(schemas.Problem, "serialization")]}}}


def _operation(op: Operation, refs) -> dict[str, Any]:
    responses = {"200": {"description": op.summary, "content": {
        "application/json": {"schema": refs[(op.response, "serialization")]}}}}
    responses |= {code: _problem(refs, text) for code, text in ERRORS.items()}
    if op.body is not None:
        responses["409"] = _problem(refs, "Saved meanwhile by someone else: read and retry.")
        responses["422"] = _problem(refs, "The body does not match the schema; `errors` "
                                          "names each field.")
    out: dict[str, Any] = {
        "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower())}"
                       .strip("_"),
        "summary": op.summary,
        "parameters": [{"name": p, "in": "path", "required": True,
                        "schema": {"type": "integer" if p.endswith("_id") else "string"}}
                       for p in op.parameters],
        "responses": responses,
        "security": [{"token": []}],
    }
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(op.body, "validation")]}}}
    return out


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    refs, components = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Faultline API", "version": __version__,
                 "description": "Assessments, results, findings, the plan with its tracking "
                                "and milestones. Authenticate with a personal access token: "
                                "`Authorization: Bearer flt_...`."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "A personal access token."}},
        },
    }
