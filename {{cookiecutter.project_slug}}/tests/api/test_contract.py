"""Contract tests: schemathesis against each version's committed schema, on the running app.

For every operation of docs/api/<version>.yaml, schemathesis generates requests
(valid ones, and invalid ones that must be refused with a 4xx), sends them over
HTTP to the live server (the real database and cache of the mode the suite runs
in: Postgres and Redis in full mode) and checks every response: no 5xx, a
documented status, the documented content type, a body that conforms to the
schema, and authentication that is really enforced.
"""

import random

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from {{ cookiecutter.project_slug }}.api.contracts import schema_path
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.api.conftest import ALL_SCOPES

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = 25  # per operation and version; each is one HTTP request


def load(version: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_path(schema_path(version))
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES, deterministic=True
    )
    return schema


@pytest.fixture
def caller(live_server, make_key):
    """The live server's URL, an API key with every scope, an organization with three of each resource of its own."""
    from {{ cookiecutter.project_slug }}.organizations.models import Role

    from tests.api import cases
    from tests.factories import MembershipFactory

    owner = MembershipFactory(role=Role.OWNER)
    return {
        "url": live_server.url,
        "headers": {"Authorization": f"Bearer {make_key(owner, scopes=ALL_SCOPES)}"},
        "ids": [cases.make(owner.organization) for _ in range(3)],
    }


def call(case, caller, random_ids: random.Random) -> None:
    # Mostly our organization and objects, so that most requests get past the 404;
    # sometimes the generated (unknown) ids, which must be 404 and nothing else.
    if case.path_parameters and random_ids.random() < 0.8:
        ids = random_ids.choice(caller["ids"])
        case.path_parameters.update({name: ids[name] for name in case.path_parameters if name in ids})
    case.call_and_validate(base_url=caller["url"], headers=caller["headers"], timeout=10)


# The fixture is set up once for all the examples of an operation, on purpose: they share it.
shared_fixture = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def conforms(schema: schemathesis.BaseSchema):
    @schema.parametrize()
    @shared_fixture
    def test(case, caller):
        call(case, caller, random.Random(0))

    return test


# One test per version, test_<version>_conforms_to_its_committed_schema; a version without an operation has
# nothing to check (schemathesis refuses to parametrize nothing).
for _name in VERSIONS.names:
    _schema = load(_name)
    if _schema.raw_schema["paths"]:
        globals()[f"test_{_name}_conforms_to_its_committed_schema"] = conforms(_schema)
