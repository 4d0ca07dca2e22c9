import pytest


@pytest.fixture
def work(personas):
    """The personas with every visit schedule derived for today."""
    from shouhu.visits.services import schedules_refresh

    schedules_refresh()
    return personas
