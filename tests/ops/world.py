"""The world of a transactional test (a real commit, seen by another connection or process): the
flush after such a test empties every table, so the county, the reference data and the personas
are loaded here, committed. Import ``committed_personas_fixture`` and mark the test with ``COMMITTED``."""

from importlib import import_module

import pytest
from django.apps import apps

from tests import factories as f

# Every app is available: the flush then truncates with CASCADE (as tests/security/test_backup.py).
COMMITTED = pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in apps.get_app_configs()]
)
REFERENCE_DATA = ("children.migrations.0002_national_categories", "cases.migrations.0002_harm_types")


@pytest.fixture(name="committed_personas")
def committed_personas_fixture():
    from shouhu.regions.loader import load_regions

    load_regions(f.COUNTY)
    for module in REFERENCE_DATA:
        import_module(f"shouhu.{module}").load(apps, None)
    return f.Personas.create()
