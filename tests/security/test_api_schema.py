"""The API against its own OpenAPI schema, with schemathesis: every operation, signed in as a county
official and as a village director, with generated valid and invalid input.

Checks: no 5xx, every status code answered is documented for its operation (``api.schema`` adds the
shared 400/401/403/404/409/412/429 where they apply), and every documented response matches the
schema (body and content type). Path
parameters are drawn half from real records of the permission-matrix world and half at random, so
generation reaches both the found and the not-found branches. Examples are capped per operation so the
run stays short on a small machine (about 200 cases in under three minutes on two cores); raise
``SHOUHU_SCHEMATHESIS_EXAMPLES`` for a longer hunt.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shouhu.accounts.models import ApiToken
from tests import factories as f
from tests.test_permission_matrix import built_world, world  # noqa: F401  (the fixtures: every kind of record)

APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", APP)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES = int(os.environ.get("SHOUHU_SCHEMATHESIS_EXAMPLES", "10"))
PERSONAS = ("county", "dir_a")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]

_COLLECTION = re.compile(r"^/api/v1/([\w-]+)/\{(\w+)\}/")


def token_for(user) -> str:
    """The Authorization header value for ``user``: the one place that knows how API tokens are made."""
    _token, secret = ApiToken.objects.create(user=user)
    return f"Token {secret}"


# The world's record behind each collection's id: collection → (kind in world.objects, its key).
RECORDS = {
    "alerts": ("alert", "alert_id"),
    "cases": ("case", "case_id"),
    "reports": ("report", "report_id"),
    "visits": ("visit", "visit_id"),
    "work": ("item", "item_id"),
    "notifications": ("notification", "notification_id"),
    "investigations": ("investigation", "investigation_id"),
    "investigation-items": ("check", "check_id"),
    "homes": ("home", "home_id"),
    "rules": ("rule", "rule_code"),
    "referrals": ("referral", "referral_id"),
    "assistance-applications": ("application", "application_id"),
    "quarterly-reports": ("quarterly", "quarterly_id"),
}


def real_values(world) -> dict[str, list]:  # noqa: F811
    """Existing records, by the collection that names them in a path."""
    values = {
        collection: [world.objects[kind][key]]
        for collection, (kind, key) in RECORDS.items()
        if key in world.objects.get(kind, {})
    }
    values["children"] = [c.pk for c in world.children.values()]
    values["regions"] = [f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C, f.TOWNSHIP, f.COUNTY]
    values["visit-policies"] = [f.COUNTY]
    return values


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", [pytest.param(op, id=op.label) for op in OPERATIONS])
def test_the_api_answers_every_operation_within_its_schema(world, settings_override, operation, persona):  # noqa: F811
    # The WSGI transport hands the body over as sent, without undoing a gzip encoding as an HTTP client
    # would: ask for the body as it is (the pages and the API are gzipped when a client accepts it).
    headers = {"Authorization": token_for(world.user(persona)), "Accept-Encoding": "identity"}
    match = _COLLECTION.match(operation.path)
    known = real_values(world).get(match.group(1), []) if match else []

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(data):
        case = data.draw(operation.as_strategy())
        if match and known and data.draw(st.booleans()):
            case.path_parameters[match.group(2)] = data.draw(st.sampled_from(known))
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.fixture
def settings_override(settings):
    """The WSGI app as schemathesis calls it, inside the test's transaction: like Django's test client,
    keep the connection open across requests (Django closes a connection that is not in autocommit
    mode at the start and end of each request, which would end the test's transaction)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield settings
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_is_exercised():
    """The schema has operations, and the paths the world knows records for are all in it."""
    paths = {op.path for op in OPERATIONS}
    assert len(OPERATIONS) >= 40
    assert {m.group(1) for p in paths if (m := _COLLECTION.match(p))} >= {"children", "cases", "visits"}
