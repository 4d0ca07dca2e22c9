import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shouhu.audit.models import AccessLog, Action
from shouhu.children.services import child_update
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def file_of(child):
    return reverse("children:detail", kwargs={"pk": child.pk})


def photo_of(child):
    return reverse("children:photo", kwargs={"pk": child.pk})


@pytest.fixture
def child_with_photo(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    child = personas.child_a
    child_update(
        actor=personas.admin,
        child=child,
        fields={"photo": SimpleUploadedFile("a.png", PNG, content_type="image/png"), "photo_consent": True},
    )
    return child


def test_a_director_opens_the_file_of_a_child_in_her_village(signed_in, personas):
    response = signed_in(personas.dir_a).get(file_of(personas.child_a))
    assert response.status_code == 200
    assert "梦巧" in response.content.decode()


def test_a_child_of_another_village_is_not_found(signed_in, personas):
    response = signed_in(personas.dir_a).get(file_of(personas.child_c))
    assert response.status_code == 404
    assert "不存在，或者不在您的管辖范围内" in response.content.decode()


def test_a_missing_child_and_a_forbidden_one_look_the_same(signed_in, personas):
    client = signed_in(personas.dir_a)
    forbidden = client.get(file_of(personas.child_c))
    missing = client.get("/children/00000000-0000-0000-0000-000000000000/")
    assert forbidden.status_code == missing.status_code == 404
    assert main_part(forbidden) == main_part(missing)


def main_part(response) -> str:
    """The page's main part (the top bar holds the address and a fresh form token)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_file_shows_the_id_number_parents_and_categories_to_territorial_staff(signed_in, personas):
    child_update(
        actor=personas.admin,
        child=personas.child_a,
        fields={"id_number": f.id_number_for(personas.child_a.birth_date)},
    )
    child = personas.child_a
    html = signed_in(personas.dir_a).get(file_of(child)).content.decode()
    assert child.id_number in html
    assert "外出务工" in html and "浙江省宁波市" in html
    assert "农村留守儿童" in html and "父母双方外出务工" in html
    assert child.birth_date.strftime("%Y-%m-%d") in html


def test_a_mentor_sees_name_village_and_school_but_not_the_id_number(signed_in, personas):
    number = f.id_number_for(personas.child_a.birth_date)
    child_update(
        actor=personas.admin,
        child=personas.child_a,
        fields={"id_number": number},
        parents={"father": {"phone": "13800000001"}},
    )
    html = signed_in(personas.mentor).get(file_of(personas.child_a)).content.decode()
    assert "梦巧" in html and "前潘村" in html
    assert number not in html
    assert "13800000001" not in html


def test_opening_a_file_is_logged(signed_in, personas):
    signed_in(personas.dir_a).get(file_of(personas.child_a))
    log = AccessLog.objects.get()
    assert (log.action, log.child_id, log.region_code) == (Action.VIEW, personas.child_a.pk, f.VILLAGE_A)


def test_a_refused_file_is_not_logged_as_opened(signed_in, personas):
    signed_in(personas.dir_a).get(file_of(personas.child_c))
    assert not AccessLog.objects.filter(action=Action.VIEW).exists()


def test_the_file_shows_who_changed_which_fields(signed_in, personas):
    client = signed_in(personas.dir_a)
    client.post(  # through the page, so that the change is recorded with its author
        reverse("children:edit", kwargs={"pk": personas.child_a.pk}),
        {**_current(personas.child_a), "address": "前潘村东头", "version": personas.child_a.version},
    )
    html = client.get(file_of(personas.child_a)).content.decode()
    history = html[html.index("修改记录") :]
    assert "刘云" in history
    assert "现居住地址：（空） → 前潘村东头" in history


def _current(child):
    from tests.web.test_child_form import form_data

    return form_data(name=child.name, birth_date=child.birth_date.isoformat())


def test_the_category_history_is_shown(signed_in, personas):
    html = signed_in(personas.dir_a).get(file_of(personas.child_a)).content.decode()
    events = html[html.index("类别变更记录") :]
    assert "纳入" in events and "农村留守儿童" in events


def test_the_photo_is_served_only_through_the_scoped_address_and_logged(
    signed_in, personas, child_with_photo
):
    response = signed_in(personas.dir_a).get(photo_of(child_with_photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(action=Action.PHOTO, child_id=child_with_photo.pk).count() == 1


def test_the_photo_of_a_child_elsewhere_is_not_found(signed_in, personas, child_with_photo):
    assert signed_in(personas.dir_c).get(photo_of(child_with_photo)).status_code == 404


def test_a_mentor_does_not_get_the_photo(signed_in, personas, child_with_photo):
    assert signed_in(personas.mentor).get(photo_of(child_with_photo)).status_code == 404


def test_the_file_never_links_to_a_public_media_address(signed_in, personas, child_with_photo):
    from django.conf import settings

    html = signed_in(personas.dir_a).get(file_of(child_with_photo)).content.decode()
    assert photo_of(child_with_photo) in html
    assert settings.MEDIA_URL not in html
