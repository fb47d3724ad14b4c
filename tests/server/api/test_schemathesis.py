"""Schemathesis, every check, against the node's own OpenAPI document, on SQLite and PostgreSQL.

Generated requests (valid and invalid ones) go to the ASGI app as a signed-in administrator, so
that every operation is reached past authorisation; each answer must pass all of schemathesis's
checks: no 5xx, a documented status and content type, a body matching the documented schema,
invalid input refused (4xx) and valid input accepted. Bounded: a few examples per operation and
mode; marked slow.

One judgement: a request the schema allows may still break a rule no JSON Schema states (an
expression that does not parse, a key that is not Ed25519, an agency officer without an
agency, a control character in a name): that is a 400 ``invalid_input`` naming the field, and
``positive_data_acceptance`` is told so. It still fails a valid request answered 422, 405, 415
or 5xx, and every 400 it sees must be our error body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode

from borderlink.server import create_app
from borderlink.services import Node
from borderlink.services.accounts.access import Role
from tests.surfaces import Seeded, fast, seed

if TYPE_CHECKING:  # schemathesis names its OpenAPI case type for type checkers only
    from schemathesis.specs.openapi.schemas import OpenApiCase

pytestmark = pytest.mark.slow

# Operations whose generated calls would end the credential the rest run with.
SKIPPED = {("POST", "/api/v1/auth/logout")}


@pytest.fixture
def st_seeded(node: Node) -> Seeded:
    return seed(fast(node))


@pytest.fixture
def st_app(st_seeded: Seeded) -> FastAPI:
    return create_app(st_seeded.node.settings, node=st_seeded.node, pages=False)


@pytest.fixture
def st_schema(st_app: FastAPI) -> schemathesis.BaseSchema:
    config = schemathesis.Config()
    project = config.projects.default
    project.phases.update(phases=["examples", "fuzzing"])
    project.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=4
    )
    project.checks.update(included_check_names=["all"])
    project.checks.positive_data_acceptance.expected_statuses = [
        *project.checks.positive_data_acceptance.expected_statuses,
        "400",
    ]
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", st_app, config=config)


schema = schemathesis.pytest.from_fixture("st_schema")


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_check_passes(case: OpenApiCase, st_seeded: Seeded) -> None:
    if (case.method.upper(), case.path) in SKIPPED:
        return
    headers = {"Authorization": f"Bearer {st_seeded.tokens[Role.ADMINISTRATOR]}"}
    response = case.call_and_validate(headers=headers)
    if response.status_code == 400:  # a rule the schema cannot state: said in our error body
        body = response.json()
        if case.path.startswith("/taxii2/"):  # or in a TAXII error message, on TAXII routes
            assert body["error_code"].startswith("invalid_"), body
            assert body["description"], body
        else:
            assert body["error"].startswith("invalid_"), body
            assert body["detail"], body
