"""Helpers for the web pages' tests: signing in as a persona and reading an error next to a field."""

import re
from html import unescape

import pytest


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` returns the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def error_next_to(response, field_id: str) -> str:
    """The error text rendered under the input with HTML id ``field_id`` ("" when there is none)."""
    html = response.content.decode()
    assert f'id="{field_id}"' in html, f"no field {field_id} on the page"
    match = re.search(rf'<small class="error" id="{re.escape(field_id)}_error">(.*?)</small>', html, re.S)
    return unescape(match.group(1)).strip() if match else ""


def form_values(record) -> dict:
    """What the browser would send back for the forms of a child's page, unchanged."""
    data: dict = {}
    for form in record.all_forms():
        for bound in form:
            value = bound.value()
            if bound.field.widget.input_type == "file":
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif value is False or value is None:
                if bound.field.widget.input_type != "checkbox":
                    data[bound.html_name] = ""
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif hasattr(value, "isoformat"):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)
    return data
