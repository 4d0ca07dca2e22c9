"""A person chooses their language on their own account page: their pages are in it on every device,
whatever the browser says, and so are the text messages and e-mail they are sent."""

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.accounts.models import User
from shouhu.children.services import child_update
from shouhu.escalation import delivery
from shouhu.escalation.models import Channel, Notification
from tests.escalation.senders import RecordingSender

ACCOUNT = reverse("accounts:account")
LANGUAGE = reverse("accounts:language")


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SHOUHU_SMS_SENDER = "tests.escalation.senders.RecordingSender"
    RecordingSender.reset()
    yield RecordingSender
    RecordingSender.release.set()


def device(user, accept_language: str = "zh-CN,zh;q=0.9") -> Client:
    """A browser of its own (its own cookies), asking for Chinese unless told otherwise."""
    client = Client(HTTP_ACCEPT_LANGUAGE=accept_language)
    client.force_login(user)
    return client


def test_the_account_page_offers_each_language_named_in_itself(personas):
    page = device(personas.dir_a).get(ACCOUNT).content.decode()

    assert 'name="language"' in page and "English" in page and "简体中文" in page


def test_english_chosen_on_the_account_page_is_the_language_of_every_page_on_every_device(personas):
    phone = device(personas.dir_a)

    response = phone.post(LANGUAGE, {"language": "en"})

    assert response.status_code == 302 and response.url == ACCOUNT
    assert User.objects.get(pk=personas.dir_a.pk).language == "en"
    assert "To do today" in phone.get(reverse("home")).content.decode()
    # Another browser, which asks for Chinese and has never chosen: still English for this person.
    laptop = device(personas.dir_a)
    home = laptop.get(reverse("home"))
    assert home.headers["Content-Language"] == "en" and '<html lang="en">' in home.content.decode()


def test_the_saved_language_says_so_in_that_language(personas):
    phone = device(personas.dir_a)

    page = phone.post(LANGUAGE, {"language": "en"}, follow=True).content.decode()

    assert "Language saved." in page


def test_chinese_chosen_again_brings_the_pages_back_to_chinese(personas):
    User.objects.filter(pk=personas.dir_a.pk).update(language="en")
    phone = device(personas.dir_a, "en")

    phone.post(LANGUAGE, {"language": "zh-hans"})

    assert '<html lang="zh-hans">' in device(personas.dir_a, "en").get(reverse("home")).content.decode()


def test_a_language_that_is_not_offered_is_refused_and_nothing_changes(personas):
    phone = device(personas.dir_a)

    phone.post(LANGUAGE, {"language": "fr"})

    assert User.objects.get(pk=personas.dir_a.pk).language == ""


def test_the_language_switch_at_the_top_of_the_page_changes_the_choice_too(personas):
    User.objects.filter(pk=personas.dir_a.pk).update(language="en")
    phone = device(personas.dir_a)

    phone.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})

    assert User.objects.get(pk=personas.dir_a.pk).language == "zh-hans"
    assert '<html lang="zh-hans">' in device(personas.dir_a, "en").get(reverse("home")).content.decode()


def test_someone_who_never_chose_follows_the_browser(personas):
    assert "To do today" in device(personas.dir_a, "en").get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in device(personas.dir_a).get(reverse("home")).content.decode()


def test_the_text_messages_of_someone_who_chose_english_are_in_english(
    personas, django_capture_on_commit_callbacks
):
    device(personas.supervisor).post(LANGUAGE, {"language": "en"})

    with django_capture_on_commit_callbacks(execute=True):
        child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    delivery.deliver()

    (text,) = [text for phone, text in RecordingSender.sent if phone == personas.supervisor.phone]
    assert "Child under 16 living alone or without care" in text and "督办" not in text
    assert Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS, status="sent").exists()


def test_the_api_keeps_to_the_language_its_client_asks_for(personas, api):
    User.objects.filter(pk=personas.dir_a.pk).update(language="en")

    response = api(personas.dir_a).get("/api/v1/work/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.headers["Content-Language"] == "zh-hans"


def test_the_e_mail_of_someone_who_chose_english_is_in_english_subject_included(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    device(personas.supervisor).post(LANGUAGE, {"language": "en"})

    with django_capture_on_commit_callbacks(execute=True):
        child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    delivery.deliver()

    (mail,) = [m for m in mailoutbox if m.to == [personas.supervisor.email]]
    assert mail.subject == "Shouhu: notice"
    assert "Child under 16 living alone or without care" in mail.body and "督办" not in mail.body
