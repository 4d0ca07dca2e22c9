import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation

from shouhu.assistance.models import AssistanceType, CountyAmount
from tests import factories as f


@pytest.fixture(autouse=True)
def registry_language():
    """Rule texts are worded in the active language: these tests read the registry's (Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def imprisoned(since: dt.date | None = None) -> dict:
    return {
        "situation": "imprisoned",
        "situation_since": since or timezone.localdate() - dt.timedelta(days=400),
    }


def unsupported_child(*, name: str = "孙小雨", birth_date: dt.date | None = None, village=f.VILLAGE_A, **kw):
    """A de-facto unsupported child: both parents in prison for over six months, cared for by an aunt."""
    today = timezone.localdate()
    return f.make_child(
        name=name,
        village=village,
        birth_date=birth_date or today.replace(year=today.year - 9, day=1),
        parents={"father": {**imprisoned(), "name": "孙大海"}, "mother": {**imprisoned(), "name": "李秀英"}},
        living_arrangement="relatives",
        carer={"name": "孙桂兰", "relation": "relative"},
        **kw,
    )


@pytest.fixture
def living(db) -> AssistanceType:
    return AssistanceType.objects.get(code="de_facto_living")


@pytest.fixture
def amount(living) -> CountyAmount:
    return CountyAmount.objects.create(
        type=living, county_id=f.COUNTY, monthly_amount="1450.00", from_date=dt.date(2020, 1, 1)
    )


@pytest.fixture
def child(personas):
    return unsupported_child()
