"""Every model change has its migration: a fresh machine's database matches the code."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits with 1 when a migration would be made
        if exc.code:
            pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
