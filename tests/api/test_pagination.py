"""Every list of the API pages the same way: a page that is not a whole number from 1 is a bad request
naming ``page``; a page past the end is not found; an invalid filter names the filter."""

import pytest

from .conftest import CHILDREN


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_one_is_refused_naming_page(api, personas, page):
    response = api(personas.dir_a).get(CHILDREN, {"page": page})

    assert response.status_code == 400 and set(response.json()) == {"page"}


def test_a_page_past_the_end_is_not_found(api, personas):
    assert api(personas.dir_a).get(CHILDREN, {"page": 99}).status_code == 404


def test_the_first_and_last_pages_answer(api, personas):
    client = api(personas.dir_a)

    assert client.get(CHILDREN, {"page": 1}).status_code == 200
    assert client.get(CHILDREN, {"page": "last"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/visits/", "/api/v1/cases/", "/api/v1/work/"])
def test_other_lists_page_the_same_way(api, personas, path):
    assert api(personas.county).get(path, {"page": "0"}).status_code == 400


def test_an_invalid_filter_value_names_the_filter(api, personas):
    response = api(personas.dir_a).get(CHILDREN, {"schooling": "flying"})

    assert response.status_code == 400 and "schooling" in response.json()
