"""Personas signed in, a county of elsewhere, and log rows made to order."""

import pytest
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.audit.models import AccessLog, Action
from shouhu.regions.codes import Level
from shouhu.regions.models import Region
from tests import factories as f

OTHER_COUNTY = "341621"  # 涡阳县, Bozhou: a neighbouring county


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def other_county(db):
    """County B's staff member, in a county of its own."""
    city = Region.objects.filter(code=OTHER_COUNTY[:4]).first()
    Region.objects.get_or_create(
        code=OTHER_COUNTY, defaults={"name": "涡阳县", "level": Level.COUNTY, "parent": city}
    )
    return f.make_user("county_b", Role.COUNTY_STAFF, OTHER_COUNTY, full_name="乙县干部")


def log(user, action=Action.VIEW, child=None, region_code=None, at=None, **extra):
    return AccessLog.objects.create(
        user=user,
        username=user.username,
        action=action,
        child_id=getattr(child, "pk", None),
        region_code=region_code if region_code is not None else getattr(child, "region_code", ""),
        channel=extra.pop("channel", "web"),
        path=extra.pop("path", "/"),
        at=at or timezone.now(),
        **extra,
    )
