"""Reading children's records in the Django admin is logged like any other view of them."""

import pytest

from shouhu.audit.admin import log_admin_reads
from shouhu.audit.models import AccessLog, Action
from shouhu.children import crypto
from shouhu.children.models import Child
from shouhu.privacy.models import Archive
from tests import factories as f


@pytest.fixture
def superuser(personas):
    admin = personas.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def test_every_admin_of_child_records_is_logged():
    from django.contrib import admin

    assert Child in admin.site._registry
    assert Archive in admin.site._registry
    assert log_admin_reads() == []  # all covered at start-up; nothing left to wrap
    assert all(getattr(admin.site._registry[m], "_reads_logged", False) for m in (Child, Archive))


def test_opening_a_child_in_the_admin_is_logged_with_the_child(signed_in, personas, superuser):
    child = personas.child_a

    response = signed_in(superuser).get(f"/admin/children/child/{child.pk}/change/")

    assert response.status_code == 200
    row = AccessLog.objects.get(action=Action.VIEW)
    assert (row.child_id, row.username, row.region_code) == (child.pk, "admin", child.region_code)


def test_a_childs_history_in_the_admin_is_logged(signed_in, personas, superuser):
    child = personas.child_a

    assert signed_in(superuser).get(f"/admin/children/child/{child.pk}/history/").status_code == 200

    assert AccessLog.objects.filter(action=Action.VIEW, child_id=child.pk).count() == 1


def test_the_admin_list_and_its_search_by_id_number_are_logged_hashed(signed_in, personas, superuser):
    client = signed_in(superuser)
    child = personas.child_a
    child.id_number = number = f.id_number_for(child.birth_date, child.gender)
    child.save()

    assert client.get("/admin/children/child/").status_code == 200
    assert client.get("/admin/children/child/", {"q": number}).status_code == 200

    assert AccessLog.objects.filter(action=Action.LIST).count() == 1
    search = AccessLog.objects.get(action=Action.SEARCH)
    assert number not in search.query
    assert f"[id:{crypto.keyed_hash(number)}]" in search.query
