"""The reviewers' screenshots (tests/e2e/screenshots.py, `make screenshots`) list pages that still
exist: every page resolves to the view it names, with arguments of the kinds the demo gives, and every
persona is a demo account. The finders are checked against a seeded demo in tests/demo/test_seed.py."""

from django.urls import resolve

from shouhu.demo import seed as demo
from tests.e2e import screenshots


def test_every_page_of_the_screenshots_resolves_to_the_view_it_names():
    pages = [page for journey in screenshots.JOURNEYS for page in journey.pages]
    assert len(pages) >= 15
    for page in pages:
        assert set(page.kwargs.values()) <= screenshots.FINDERS.keys() == screenshots.SAMPLES.keys()
        path = screenshots.path_of(page, screenshots.SAMPLES)
        assert resolve(path.split("?")[0]).view_name == page.url_name, path


def test_the_five_journeys_are_walked_by_demo_accounts():
    assert [j.slug[0] for j in screenshots.JOURNEYS] == ["1", "2", "3", "4", "5"]
    assert screenshots.usernames() <= set(demo.USERNAMES)
    assert screenshots.VIEWPORTS == ((390, 844), (1366, 768))
    assert set(screenshots.LANGUAGES) == {"zh-hans", "en"}
