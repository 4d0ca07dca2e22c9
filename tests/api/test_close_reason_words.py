"""Why an alert closed and what a notice says read in the reader's language where the system wrote
them; a person's reason reads as it was typed."""

from django.utils import translation

from shouhu.cases import services
from shouhu.cases.models import Alert
from shouhu.children import services as child_services


def alone_alert(personas) -> Alert:
    child_services.child_update(
        actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"}
    )
    return Alert.objects.get(child=personas.child_b, rule="alone_under_16")


def test_a_reason_the_system_gave_reads_in_english_on_the_page_and_in_the_api(personas, api):
    alert = alone_alert(personas)
    services._close(alert, reason="入户走访确认儿童安全、监护到位", by=None, why="alert.closed.visited")
    alert.refresh_from_db()

    with translation.override("en"):
        assert alert.close_reason_text == "A home visit confirmed the child safe and cared for"
    assert alert.close_reason_text == "入户走访确认儿童安全、监护到位"
    body = api(personas.supervisor).get(f"/api/v1/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["close_reason"] == "A home visit confirmed the child safe and cared for"


def test_a_persons_reason_reads_as_typed(personas):
    alert = alone_alert(personas)
    services._close(alert, reason="已送往外婆家", by=personas.supervisor)
    alert.refresh_from_db()

    with translation.override("en"):
        assert alert.close_reason_text == "已送往外婆家"


def test_a_notice_reads_in_the_language_the_client_asks_for(personas, api):
    alone_alert(personas)  # the supervisor is told at once
    client = api(personas.supervisor)

    chinese = client.get("/api/v1/notifications/").json()["results"]
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]

    assert chinese and len(english) == len(chinese)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese[0]["message"])
    for notice in english:  # only the child's name (data) stays Chinese
        words = notice["message"].replace(personas.child_b.name, "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in words), notice["message"]
