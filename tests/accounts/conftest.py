import pytest
from django.utils import translation

from tests.api.conftest import api  # noqa: F401


@pytest.fixture(autouse=True)
def registry_language_after():
    """A request in English leaves English active in the test's thread: put the registry's back, so
    that the tests that follow read the pages as they would."""
    yield
    translation.deactivate()
