"""The OpenAPI schema and its browsable documentation, served without any CDN."""

import re

import pytest


@pytest.fixture
def docs_html(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_schema_documents_the_child_registry(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert {"/api/v1/children/", "/api/v1/children/{id}/", "/api/v1/regions/", "/api/v1/auth/token/"} <= set(
        paths
    )


def test_the_schema_offers_no_put_or_delete_on_a_child(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert set(response.json()["paths"]["/api/v1/children/{id}/"]) == {"get", "patch"}


def test_the_schema_describes_the_shape_of_field_errors(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    post = response.json()["paths"]["/api/v1/children/"]["post"]
    assert "non_field_errors" in post["responses"]["400"]["description"]


@pytest.mark.parametrize("cdn", ["cdn", "unpkg", "jsdelivr"])
def test_the_docs_page_loads_nothing_from_a_cdn(docs_html, cdn):
    assert cdn not in docs_html.lower()


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(docs_html):
    scripts = re.findall(r'<script src="([^"]+)"', docs_html)

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in scripts


def test_the_swagger_ui_bundle_is_served(client, db):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200
