from shouhu.accounts.models import WelfareWorker, WorkerKind
from shouhu.accounts.selectors import villages_without_director, watches_director_gaps
from tests import factories as f


def test_villages_without_director_are_those_of_my_jurisdiction_with_no_active_director(personas):
    # The personas' directors of villages A and B are registered; village B's leaves, a supervisor stays.
    WelfareWorker.objects.filter(user=personas.dir_b).update(ended_on="2026-01-31")
    WelfareWorker.objects.create(kind=WorkerKind.SUPERVISOR, name="王丽", region_id=f.VILLAGE_B)
    codes = set(villages_without_director(user=personas.supervisor).values_list("code", flat=True))
    assert f.VILLAGE_A not in codes
    assert f.VILLAGE_B in codes  # a director who left and a supervisor are not an active child director
    assert all(code.startswith(f.TOWNSHIP) and len(code) == 12 for code in codes)


def test_only_township_staff_and_above_watch_for_gaps(personas):
    assert watches_director_gaps(personas.supervisor)
    assert watches_director_gaps(personas.county)
    assert not watches_director_gaps(personas.dir_a)
    assert not watches_director_gaps(personas.mentor)
