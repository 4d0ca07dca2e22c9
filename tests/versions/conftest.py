"""For the transactional (threaded) tests: every app available, so the flush after each test truncates
with CASCADE, and the county and reference data loaded again, as the flush removed them."""

from importlib import import_module

import pytest
from django.apps import apps

from shouhu.regions.loader import load_regions
from tests import factories as f

REFERENCE_DATA = (
    ("children.migrations.0002_national_categories", "load"),
    ("cases.migrations.0002_harm_types", "load"),
    ("assistance.migrations.0002_assistance_types", "seed"),
    ("referrals.migrations.0002_service_types", "seed"),
)

concurrent = pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in apps.get_app_configs()]
)


@pytest.fixture
def world():
    load_regions(f.COUNTY)
    for module, function in REFERENCE_DATA:
        getattr(import_module(f"shouhu.{module}"), function)(apps, None)
    return f.Personas.create()
