import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.children.models import Child
from tests import factories as f
from tests.web.conftest import error_next_to, form_values

CREATE = reverse("children:create")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def years_ago(years: int) -> str:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28).isoformat()


def form_data(**overrides) -> dict:
    data = {
        "name": "王小花",
        "gender": "female",
        "birth_date": years_ago(9),
        "ethnicity": "汉族",
        "household_registered": "on",
        "hukou_type": "rural",
        "village": f.VILLAGE_A,
        "schooling": "primary",
        "health": "healthy",
        "living_arrangement": "grandparents",
        "father-situation": "migrant",
        "father-situation_since": years_ago(2),
        "father-work_place": "浙江省宁波市",
        "mother-situation": "migrant",
        "mother-situation_since": years_ago(1),
        "carer-health": "healthy",
        "carer-capacity": "capable",
    }
    data.update(overrides)
    return data


def edit_url(child):
    return reverse("children:edit", kwargs={"pk": child.pk})


def resubmit(client, child, **changes):
    """Open the edit page and send it back with ``changes``, as a user would."""
    page = client.get(edit_url(child)).context
    current = {**form_values(page["record"]), "version": page["version"]}
    return client.post(edit_url(child), {**current, **changes})


# --- registering ------------------------------------------------------------------------------------


def test_a_director_registers_a_child_with_parents_carer_and_contacts(signed_in, personas):
    client = signed_in(personas.dir_a)
    response = client.post(
        CREATE,
        form_data(
            **{
                "carer-name": "王奶奶",
                "carer-relation": "grandparent",
                "carer-birth_date": "1960-05-01",
                "contact-0-name": "李村长",
                "contact-0-phone": "13900000000",
                "contact-0-role": "村干部",
            }
        ),
    )
    child = Child.objects.get(name="王小花")
    assert response.status_code == 302 and response.url == reverse("children:detail", kwargs={"pk": child.pk})
    assert child.village_id == f.VILLAGE_A
    assert {p.role: p.situation for p in child.parents.all()} == {"father": "migrant", "mother": "migrant"}
    assert child.carer.name == "王奶奶"
    assert [c.name for c in child.contacts.all()] == ["李村长"]
    assert list(child.categories.values_list("category_id", flat=True)) == ["left_behind"]


def test_after_registering_the_file_opens_with_a_success_message(signed_in, personas):
    response = signed_in(personas.dir_a).post(CREATE, form_data(), follow=True)
    assert "已登记 王小花 的档案" in response.content.decode()


def test_registering_is_logged(signed_in, personas):
    signed_in(personas.dir_a).post(CREATE, form_data())
    child = Child.objects.get(name="王小花")
    assert AccessLog.objects.filter(action=Action.CREATE, child_id=child.pk, username="dir_a").count() == 1


def test_the_village_list_offers_only_my_villages_labelled_with_the_township(signed_in, personas):
    response = signed_in(personas.supervisor).get(CREATE)
    field = response.context["record"].child_form.fields["village"]
    labels = [label for value, label in field.choices if value]
    assert "王市镇 / 前潘村村民委员会" in labels
    assert all(label.startswith("王市镇 / ") for label in labels)


def test_the_income_and_assistance_checkboxes_are_stored(signed_in, personas):
    signed_in(personas.dir_a).post(
        CREATE, form_data(income_sources=["wages", "farming"], assistance=["dibao"])
    )
    child = Child.objects.get(name="王小花")
    assert (child.income_sources, child.assistance) == (["wages", "farming"], ["dibao"])


@pytest.mark.parametrize("name", ["𠮷堃", "阿依古丽·买买提"])
def test_rare_characters_and_transcribed_names_are_stored_and_found(signed_in, personas, name):
    client = signed_in(personas.dir_a)
    client.post(CREATE, form_data(name=name))
    assert Child.objects.filter(name=name).exists()
    found = client.get(reverse("children:list"), {"q": name}).context["page"]
    assert [c.name for c in found] == [name]


def test_a_homeless_minor_is_registered_where_found_without_a_village(signed_in, personas):
    response = signed_in(personas.supervisor).post(
        CREATE,
        form_data(
            village="",
            is_homeless="on",
            found_region=f.TOWNSHIP,
            found_place="王市镇汽车站",
            placement="县救助站",
        ),
    )
    assert response.status_code == 302
    child = Child.objects.get(name="王小花")
    assert (child.village_id, child.found_region_id, child.region_code) == (None, f.TOWNSHIP, f.TOWNSHIP)


def test_a_mentor_cannot_register_children(signed_in, personas):
    client = signed_in(personas.mentor)
    assert client.get(CREATE).status_code == 404
    assert CREATE not in client.get(reverse("home")).content.decode()


def test_a_director_sees_the_register_link(signed_in, personas):
    assert CREATE in signed_in(personas.dir_a).get(reverse("home")).content.decode()


# --- every error next to its field, and nothing saved ----------------------------------------------


def rejected(client, field_id, **overrides) -> str:
    """POST a registration that must fail; return the error shown next to ``field_id``."""
    before = Child.objects.count()
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 200, "the page must come back with the errors"
    assert Child.objects.count() == before, "nothing may be saved"
    assert "没有保存任何内容" in response.content.decode()
    return error_next_to(response, field_id)


def test_an_invalid_id_number_is_shown_next_to_the_field(signed_in, personas):
    assert "校验位" in rejected(signed_in(personas.dir_a), "id_id_number", id_number="341623201501011234")


def test_an_id_number_that_disagrees_with_the_birth_date_is_shown_next_to_it(signed_in, personas):
    number = f.id_number_for(dt.date(2015, 1, 1))
    assert "不一致" in rejected(
        signed_in(personas.dir_a), "id_id_number", id_number=number, birth_date="2016-01-01"
    )


def test_a_future_birth_date_is_shown_next_to_the_field(signed_in, personas):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "不能晚于今天" in rejected(signed_in(personas.dir_a), "id_birth_date", birth_date=tomorrow)


def test_an_adult_is_refused_next_to_the_birth_date(signed_in, personas):
    assert "已满18周岁" in rejected(signed_in(personas.dir_a), "id_birth_date", birth_date=years_ago(18))


def test_a_carer_under_18_is_refused_next_to_the_carers_birth_date(signed_in, personas):
    error = rejected(
        signed_in(personas.dir_a),
        "id_carer-birth_date",
        **{
            "carer-name": "王小哥",
            "carer-relation": "sibling",
            "carer-birth_date": years_ago(15),
        },
    )
    assert "须年满18周岁" in error


def test_a_village_outside_my_jurisdiction_is_refused_next_to_the_village(signed_in, personas):
    assert "不在您的管辖范围内" in rejected(signed_in(personas.dir_a), "id_village", village=f.VILLAGE_C)


def test_a_missing_village_is_asked_for_next_to_the_village(signed_in, personas):
    assert "请选择户籍所在村" in rejected(signed_in(personas.dir_a), "id_village", village="")


def test_a_2000_character_name_is_refused_next_to_the_name(signed_in, personas):
    assert "50" in rejected(signed_in(personas.dir_a), "id_name", name="王" * 2000)


def test_markup_in_a_name_is_refused_and_never_echoed_as_markup(signed_in, personas):
    client = signed_in(personas.dir_a)
    assert "不能有数字、标点或符号" in rejected(client, "id_name", name="<script>alert(1)</script>")
    assert (
        "<script>alert"
        not in client.post(CREATE, form_data(name="<script>alert(1)</script>")).content.decode()
    )


def test_a_parent_out_of_contact_without_the_date_of_last_contact_is_refused_next_to_it(signed_in, personas):
    """A police report is no longer asked for (it only starts 事实无人抚养's clock); the date of last
    contact is."""
    error = rejected(
        signed_in(personas.dir_a),
        "id_father-situation_since",
        **{
            "father-situation": "out_of_contact",
            "father-situation_since": "",
        },
    )
    assert error


def test_a_parents_details_without_a_situation_ask_for_the_situation(signed_in, personas):
    error = rejected(
        signed_in(personas.dir_a),
        "id_mother-situation",
        **{
            "mother-situation": "",
            "mother-name": "李芳",
        },
    )
    assert error


def test_a_rescue_contact_without_a_phone_is_refused_next_to_that_contacts_phone(signed_in, personas):
    error = rejected(
        signed_in(personas.dir_a),
        "id_contact-1-phone",
        **{
            "contact-0-name": "",
            "contact-1-name": "李村长",
        },
    )
    assert error
    assert not error_next_to(
        signed_in(personas.dir_a).post(
            CREATE,
            form_data(
                **{
                    "contact-0-name": "",
                    "contact-1-name": "李村长",
                }
            ),
        ),
        "id_contact-0-phone",
    )


def test_a_photo_that_is_not_an_image_is_refused(signed_in, personas):
    upload = SimpleUploadedFile("note.jpg", b"not an image at all", content_type="image/jpeg")
    assert "JPG 或 PNG" in rejected(signed_in(personas.dir_a), "id_photo", photo=upload, photo_consent="on")


def test_a_photo_over_5_mb_is_refused(signed_in, personas):
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert "5 MB" in rejected(signed_in(personas.dir_a), "id_photo", photo=upload, photo_consent="on")


def test_a_photo_needs_the_guardians_consent(signed_in, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    assert "监护人同意" in rejected(signed_in(personas.dir_a), "id_photo_consent", photo=upload)


def test_a_photo_with_consent_is_kept_privately(signed_in, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    signed_in(personas.dir_a).post(CREATE, form_data(photo=upload, photo_consent="on"))
    child = Child.objects.get(name="王小花")
    assert child.photo.name.startswith(f"photos/{child.pk}/")
    assert (tmp_path / child.photo.name).read_bytes() == PNG


# --- editing ----------------------------------------------------------------------------------------


def test_editing_a_child_elsewhere_is_not_found(signed_in, personas):
    client = signed_in(personas.dir_c)
    assert client.get(edit_url(personas.child_a)).status_code == 404
    assert client.post(edit_url(personas.child_a), form_data()).status_code == 404


def test_a_mentor_cannot_edit_the_granted_child(signed_in, personas):
    assert signed_in(personas.mentor).get(edit_url(personas.child_a)).status_code == 404


def test_the_edit_page_shows_what_is_on_file(signed_in, personas):
    html = signed_in(personas.dir_a).get(edit_url(personas.child_a)).content.decode()
    assert 'value="梦巧"' in html
    assert 'value="浙江省宁波市"' in html


def test_an_edit_is_saved_and_the_file_says_so(signed_in, personas):
    client = signed_in(personas.dir_a)
    response = resubmit(client, personas.child_a, address="前潘村东头", **{"mother-situation": "at_home"})
    assert response.status_code == 302
    child = Child.objects.get(pk=personas.child_a.pk)
    assert child.address == "前潘村东头"
    assert not child.categories.exists()  # one parent home again: no longer left behind
    assert "已保存 梦巧 的档案" in client.get(response.url).content.decode()


def test_a_failed_edit_changes_nothing(signed_in, personas):
    client = signed_in(personas.dir_a)
    response = resubmit(
        client,
        personas.child_a,
        address="新地址",
        **{"carer-name": "王小哥", "carer-relation": "sibling", "carer-birth_date": years_ago(15)},
    )
    assert error_next_to(response, "id_carer-birth_date")
    child = Child.objects.get(pk=personas.child_a.pk)
    assert child.address == ""
    assert child.carer.name == "梦奶奶"  # the carer on file is untouched


def test_emptying_the_carer_removes_the_carer(signed_in, personas):
    client = signed_in(personas.dir_a)
    resubmit(client, personas.child_a, **{"carer-name": "王奶奶", "carer-relation": "grandparent"})
    assert Child.objects.get(pk=personas.child_a.pk).carer.name == "王奶奶"
    resubmit(client, personas.child_a, **{"carer-name": "", "carer-relation": ""})
    assert not Child.objects.filter(pk=personas.child_a.pk, carer__isnull=False).exists()


def test_a_recorded_parent_cannot_be_blanked_out(signed_in, personas):
    blank = {
        k: ""
        for k in form_values(signed_in(personas.dir_a).get(edit_url(personas.child_a)).context["record"])
        if k.startswith("father-")
    }
    response = resubmit(signed_in(personas.dir_a), personas.child_a, **blank)
    assert "不能清空" in error_next_to(response, "id_father-situation")


def test_opening_the_edit_page_is_logged_as_a_view_and_saving_as_an_update(signed_in, personas):
    client = signed_in(personas.dir_a)
    resubmit(client, personas.child_a, address="前潘村东头")
    actions = list(
        AccessLog.objects.filter(child_id=personas.child_a.pk).order_by("at").values_list("action", flat=True)
    )
    assert actions == [Action.VIEW, Action.UPDATE]


# --- forms that know what they know -----------------------------------------------------------------


def test_an_id_number_of_the_other_sex_is_refused_next_to_the_sex(signed_in, personas):
    number = f.id_number_for(dt.date(2016, 5, 6), gender="male")
    response = signed_in(personas.dir_a).post(
        CREATE, form_data(id_number=number, birth_date="2016-05-06", gender="female")
    )
    assert response.status_code == 200 and not Child.objects.filter(name="王小花").exists()
    match = re.search(
        r'<small class="error" id="id_gender_error">(.*?)</small>', response.content.decode(), re.S
    )
    error = unescape(match.group(1)) if match else ""
    assert "身份证号码显示性别为男" in error and "（女）" in error


def test_an_id_number_and_a_different_birth_date_name_both_dates(signed_in, personas):
    number = f.id_number_for(dt.date(2015, 1, 1))
    error = rejected(signed_in(personas.dir_a), "id_id_number", id_number=number, birth_date="2016-01-01")
    assert "2015-01-01" in error and "2016-01-01" in error


def test_the_id_number_field_asks_the_script_to_fill_birth_date_and_sex(signed_in, personas):
    html = signed_in(personas.dir_a).get(CREATE).content.decode()
    assert 'data-fills=""' in html and 'id="id_id_number_filled" hidden' in html


def test_a_director_with_one_village_has_it_chosen(signed_in, personas):
    form = signed_in(personas.dir_a).get(CREATE).context["record"].child_form
    assert form["village"].value() == f.VILLAGE_A


def test_a_supervisor_with_several_villages_chooses_one(signed_in, personas):
    form = signed_in(personas.supervisor).get(CREATE).context["record"].child_form
    assert not form["village"].value()


def test_villages_and_schools_name_their_township_for_the_picker(signed_in, personas):
    from shouhu.accounts.models import Organisation, OrganisationKind

    Organisation.objects.create(kind=OrganisationKind.SCHOOL, name="王市镇中心小学", region_id=f.TOWNSHIP)
    html = signed_in(personas.county).get(CREATE).content.decode()
    assert 'data-narrows="id_village id_school"' in html
    assert f'value="{f.VILLAGE_A}" data-township="{f.TOWNSHIP}"' in html
    assert f'data-township="{f.TOWNSHIP}">王市镇中心小学' in html


def test_registering_says_the_categories_the_child_falls_in(signed_in, personas):
    response = signed_in(personas.dir_a).post(CREATE, form_data(), follow=True)

    said = [m.message for m in response.context["messages"]]
    assert said == ["已登记 王小花 的档案。 认定为：农村留守儿童。"]


def test_saving_a_child_as_living_alone_says_the_alert_and_who_was_told(signed_in, personas):
    client = signed_in(personas.dir_a)

    response = resubmit(client, personas.child_a, living_arrangement="alone")
    said = [m.message for m in client.get(response.url).context["messages"]]

    assert len(said) == 1 and said[0].startswith("已保存 梦巧 的档案。")
    assert "已发出紧急预警：" in said[0] and "王丽（儿童督导员）" in said[0]
