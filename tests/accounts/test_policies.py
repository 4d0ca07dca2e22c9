"""The permission engine: each scoped model's policy, declared in its app and asked the same way by a
page, the API and a job; and the guard rule that keeps direct queries of scoped models out of the
read side."""

import importlib
from types import SimpleNamespace

import pytest
from django.http import Http404

from shouhu.accounts import access
from shouhu.api.filters import PolicyFilter
from shouhu.api.permissions import PolicyPermission
from shouhu.children.models import Child
from tests.test_permission_matrix import scoped_query_offenders

PLANTED = """
from shouhu.cases import models
from shouhu.children.models import Child as Kid


def page(request):
    return Kid.objects.filter(name="x"), models.Alert._default_manager.all()


PLACEHOLDER = models.Case.objects.none()
"""
MODELS = {"Child": "children", "Alert": "cases", "Case": "cases"}


def test_each_scoped_model_declares_its_policy_in_its_own_app():
    labels = {model._meta.label for model in access.scoped_models()}
    assert labels >= {
        "children.Child",
        "escalation.WorkItem",
        "visits.Visit",
        "cases.Alert",
        "cases.Case",
        "cases.Report",
        "referrals.Referral",
        "assistance.Application",
        "quarterly.QuarterlyReport",
        "crosschecks.CrossCheck",
        "crosschecks.Difference",
    }
    for model in access.scoped_models():
        declared = importlib.import_module(f"shouhu.{model._meta.app_label}.permissions")
        assert access.policy(model) in vars(declared).values()


def test_the_guard_catches_a_page_querying_scoped_models_however_imported():
    found = scoped_query_offenders({"children/views.py": PLANTED}, MODELS)

    assert sorted(found) == ["children/views.py:7: Alert", "children/views.py:7: Child"]


def test_the_guard_catches_a_selector_querying_another_apps_scoped_model():
    assert scoped_query_offenders({"children/selectors.py": PLANTED}, MODELS) == [
        "children/selectors.py:7: Alert"
    ]


def test_the_guard_lets_the_write_side_and_the_engine_query():
    sources = {"cases/services.py": PLANTED, "accounts/access.py": PLANTED, "demo/population.py": PLANTED}

    assert scoped_query_offenders(sources, MODELS) == []


def test_an_empty_queryset_is_no_query():
    assert scoped_query_offenders({"api/views.py": "X = Case.objects.none()\n"}, MODELS) == []


@pytest.mark.django_db
def test_a_record_outside_ones_reach_is_as_missing_as_an_absent_one(personas):
    assert access.get_for(personas.dir_a, Child, personas.child_a.pk) == personas.child_a
    for pk in (personas.child_a.pk, "not-an-id"):
        with pytest.raises(Http404):
            access.get_for(personas.dir_b, Child, pk)


@pytest.mark.django_db
def test_a_record_one_may_see_but_not_change_is_not_found_for_a_change(personas):
    assert access.can(personas.civil, personas.child_a)
    with pytest.raises(Http404):
        access.get_for(personas.civil, "children.Child", personas.child_a.pk, action="change")


@pytest.mark.django_db
def test_the_api_filter_scopes_a_list_as_the_policy_does(personas):
    request = SimpleNamespace(user=personas.dir_b)

    scoped = PolicyFilter().filter_queryset(request, Child.objects.all(), view=None)

    assert set(scoped) == set(access.children_visible_to(personas.dir_b)) == {personas.child_b}


@pytest.mark.django_db
def test_the_api_permission_lets_a_reader_read_and_only_an_editor_change(personas):
    check = PolicyPermission().has_object_permission
    child = personas.child_a

    assert check(SimpleNamespace(method="GET", user=personas.civil), None, child)
    assert not check(SimpleNamespace(method="PATCH", user=personas.civil), None, child)
    assert check(SimpleNamespace(method="PATCH", user=personas.dir_a), None, child)
