from tests import factories as f


def test_a_registered_child_with_two_migrant_parents_is_left_behind(personas):
    assert set(personas.child_a.categories.values_list("category_id", flat=True)) == {"left_behind"}
    assert personas.child_a.category_events.get().reason == "父母双方外出务工"


def test_region_subtree_loaded(db):
    from shouhu.regions.models import Region

    assert Region.objects.filter(code__startswith=f.COUNTY, level=4).count() == 25
    assert Region.objects.filter(code__startswith=f.COUNTY, level=5).count() == 363
