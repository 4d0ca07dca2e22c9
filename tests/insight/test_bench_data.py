"""``shouhu bench-data``: a synthetic population loaded with COPY, on a scratch PostgreSQL database only,
whose dashboards read the same figures from the rollups as from the live tables."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from shouhu.children.models import Child
from shouhu.insight import selectors
from shouhu.regions.models import Region
from shouhu.visits.models import Visit
from tests import factories as f
from tests.ops.world import COMMITTED, REFERENCE_DATA

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")


def test_it_refuses_a_database_with_real_children(db):
    f.make_child(name="真实儿童")
    with pytest.raises(CommandError, match="real children"):
        call_command("bench_data", children=10)
    assert Child.objects.count() == 1


@COMMITTED
def test_it_fills_the_villages_and_the_rollups_agree_with_the_live_tables():
    """Committed: bench-data drops and rebuilds indexes around its COPY, which only the tables' owner
    may do, so it runs as the owner role (as on a scratch database) and the figures are read after."""
    from importlib import import_module

    from django.apps import apps

    from shouhu.ops import dbroles
    from shouhu.regions.loader import load_regions

    load_regions(f.COUNTY)
    for module in REFERENCE_DATA:
        import_module(f"shouhu.{module}").load(apps, None)
    with dbroles.as_owner():
        call_command("bench_data", children=300, visits=4)
    assert Child.objects.count() == 300
    assert 300 <= Visit.objects.count() <= 300 * 7
    assert Child.objects.values("region_code").distinct().count() > 50  # spread over the county
    admin = f._system_admin()
    start, end = selectors.quarter_of(timezone.localdate())
    for code in (f.COUNTY, f.TOWNSHIP, f.COUNTY[:2]):
        region = Region.objects.get(code=code)
        kept = selectors.dashboard(user=admin, region=region, start=start, end=end)
        live = selectors.dashboard_live(user=admin, region=region, start=start, end=end)
        assert (
            kept.children,
            kept.categories,
            kept.ages,
            kept.areas,
            kept.visits,
            kept.alerts,
            kept.cases,
        ) == (
            live.children,
            live.categories,
            live.ages,
            live.areas,
            live.visits,
            live.alerts,
            live.cases,
        )
