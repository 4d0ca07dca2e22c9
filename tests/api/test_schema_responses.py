"""The schema tells what each operation can answer: the errors every list, every record and every
versioned write share are documented once (``api.schema``) and appear on each operation they apply to."""

import functools
from importlib import import_module

import pytest
from django.test import Client

from shouhu.api.versions import VersionedViewMixin

METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def _schema() -> dict:
    return Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.fixture
def schema(db):
    return _schema()


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def is_paged_list(op) -> bool:
    names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    return "page" in names


def test_every_paged_list_documents_a_bad_value_and_a_page_past_the_end(schema):
    lists = [(path, op) for path, method, op in operations(schema) if method == "get" and is_paged_list(op)]

    assert len(lists) >= 15
    for path, op in lists:
        assert {"400", "404"} <= set(op["responses"]), path
        assert "page" in op["responses"]["400"]["description"] or op["responses"]["400"]["description"], path


def test_every_operation_that_needs_a_sign_in_documents_401_and_403(schema):
    for path, method, op in operations(schema):
        if path in ("/api/v1/auth/token/",):
            continue
        assert {"401", "403"} <= set(op["responses"]), (method, path)


def test_every_operation_on_one_record_documents_404(schema):
    for path, method, op in operations(schema):
        if "{" in path:
            assert "404" in op["responses"], (method, path)


def test_the_sign_in_endpoint_documents_no_401(schema):
    assert "401" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def versioned_writes():
    from shouhu.api.urls import APPS

    for app in APPS:
        router = getattr(import_module(f"shouhu.{app}.api_urls"), "router", None)
        for prefix, viewset, _basename in router.registry if router else []:
            if issubclass(viewset, VersionedViewMixin):
                yield prefix


def test_every_write_to_a_versioned_record_takes_if_match_and_documents_412(schema):
    prefixes = list(versioned_writes())
    checked = 0
    for path, method, op in operations(schema):
        if method not in ("post", "patch") or "{id}" not in path:
            continue
        if not any(path.startswith(f"/api/v1/{p}/{{id}}/") for p in prefixes):
            continue
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers and "412" in op["responses"], (method, path)
        if method == "post":
            assert "409" in op["responses"], path
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "path, method, codes",
    [
        ("/api/v1/auth/devices/", "get", {"200", "401", "403"}),
        ("/api/v1/auth/devices/setup/", "post", {"201", "400", "401", "403"}),
        ("/api/v1/auth/devices/{id}/confirm/", "post", {"200", "400", "401", "403", "404", "409"}),
        ("/api/v1/auth/devices/{id}/remove/", "post", {"204", "400", "401", "403", "404"}),
        ("/api/v1/emergency-openings/", "get", {"200", "401", "403"}),
        ("/api/v1/emergency-openings/", "post", {"200", "201", "400", "401", "403"}),
        ("/api/v1/emergency-openings/{id}/end/", "post", {"200", "401", "403", "404"}),
    ],
)
def test_two_factor_and_break_the_glass_are_documented_with_their_errors(schema, path, method, codes):
    assert set(schema["paths"][path][method]["responses"]) == codes
