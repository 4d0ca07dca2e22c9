"""How notifications leave the system: the outbox's delivery, retries and what happens when they fail.

Recording comes first. A notification is a row written in the transaction that records what it is
about (an alert, a report, a missed visit); nothing is sent inside that transaction, so a failing or
hanging sender can never roll back the record of a child in danger. After the transaction commits,
``schedule`` asks the task queue to deliver (inline in the demo, a worker in production); the
periodic run (every minute by Celery beat, and the hourly job) picks up whatever that missed, a
broker outage included.

Choices:

* One message per recipient per channel per run: the notices a supervisor is owed at that moment go
  as one text message (or e-mail) listing them, not one per child.
* A run holds the rows it sends by moving their ``next_attempt_at`` a lease ahead (``LEASE``), under
  a row lock taken with SKIP LOCKED, so two workers never send the same row; a worker that dies
  after holding them lets the lease run out and another sends them. Delivery is therefore at least
  once: only a crash between the send and its record can repeat a message.
* A failed send is retried with back-off (``BACKOFF_MINUTES``: 1, 2, 4, 8, then every 15 minutes) up to
  ``NOTIFY_MAX_ATTEMPTS`` attempts (about three hours by default); an address that cannot be sent to
  (a malformed phone number or e-mail address) fails at once. A row that fails for good is
  ``FAILED``, and the people one tier up are told in the app that the person could not be reached.
* Each send has a time limit (``NOTIFY_SEND_TIMEOUT`` seconds): a sender that hangs counts as a failed
  attempt and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import texts
from .models import Channel, Delivery, NoticeKind, Notification, Tier
from .senders import sms_sender

log = logging.getLogger("shouhu.notifications")

LEASE = dt.timedelta(minutes=5)
BACKOFF_MINUTES = (1, 2, 4, 8, 15)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LISTED_IN_ONE_MESSAGE = 5


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 16))


def send_timeout() -> float:
    return float(getattr(settings, "NOTIFY_SEND_TIMEOUT", 10))


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


class Failure(Exception):
    """A send that failed, saying why as a stored text (``texts``: ``delivery.*``): kept on the notice
    as a code and its parameters and shown in the reader's language."""

    def __init__(self, code: str, **params) -> None:
        self.words = texts.stored(code, **params)
        super().__init__(self.words["text"])


class Undeliverable(Failure):
    """The address itself is wrong: retrying cannot help."""


class SendTimeout(Failure, TimeoutError):
    """The sender did not answer in time."""


def _why(exc: BaseException) -> dict:
    """Why a send failed, as ``texts.stored`` gives it: our own failures by their code, a sender's
    error in its own words (which the gateway chose, in whatever language)."""
    if isinstance(exc, Failure):
        return exc.words
    return texts.stored("delivery.sender", detail=(str(exc) or exc.__class__.__name__)[:250])


def _error_columns(why: dict) -> dict:
    return {"last_error": why["text"][:300], "error_code": why["code"], "error_params": why["params"]}


def schedule() -> None:
    """After the current transaction commits, ask the task queue to deliver what is pending. A queue
    that cannot be reached loses nothing: the rows wait for the periodic run."""

    def enqueue() -> None:
        from .tasks import deliver_notifications

        try:
            deliver_notifications.delay()
        except Exception:  # the broker is down, or (inline) a delivery run failed: the rows wait
            log.warning("notification delivery not started now; the periodic run will send", exc_info=True)

    transaction.on_commit(enqueue, robust=True)


def _hold(now: dt.datetime, limit: int) -> list[Notification]:
    """Take up to ``limit`` due rows for this run: locked (skipping rows another run holds), checked
    still pending and due, and moved a lease ahead, in one short transaction."""
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now)
            .exclude(channel=Channel.IN_APP)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "item")[:limit]
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(next_attempt_at=now + LEASE)
    return rows


def _text(notes: list[Notification]) -> str:
    """The one message of a recipient's notices, in the recipient's language."""
    with translation.override(texts.language_of(notes[0].user)):
        if len(notes) == 1:
            return notes[0].text
        head = ngettext("【守护】您有 %(n)d 条督办事项：", "【守护】您有 %(n)d 条督办事项：", len(notes)) % {
            "n": len(notes)
        }
        lines = [n.text for n in notes[:LISTED_IN_ONE_MESSAGE]]
        if len(notes) > LISTED_IN_ONE_MESSAGE:
            lines.append(_("……其余 %(n)d 条请登录系统查看。") % {"n": len(notes) - LISTED_IN_ONE_MESSAGE})
        return head + "\n" + "\n".join(lines)


def _address(user, channel: str) -> str:
    if channel == Channel.SMS:
        phone = re.sub(r"[\s-]", "", user.phone or "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if not MOBILE.match(phone):
            if not user.phone:
                raise Undeliverable("delivery.no_phone")
            raise Undeliverable("delivery.phone", address=user.phone)
        return phone
    try:
        validate_email(user.email)
    except ValidationError:
        if not user.email:
            raise Undeliverable("delivery.no_email") from None
        raise Undeliverable("delivery.email", address=user.email) from None
    return user.email


def _within_time(send, timeout: float) -> None:
    """Run ``send`` with a time limit; a sender that hangs is left behind in its thread."""
    outcome: dict[str, BaseException | None] = {"error": None}

    def run() -> None:
        try:
            send()
        except BaseException as exc:  # reported to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="notification-send", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise SendTimeout("delivery.timeout", s=f"{timeout:g}")
    if outcome["error"] is not None:
        raise outcome["error"]


class _Senders:
    """The run's senders, opened on first use: one mail connection, one SMS sender."""

    def __init__(self) -> None:
        self.mail = None
        self.sms = None

    def send(self, channel: str, address: str, text: str, language: str) -> None:
        if channel == Channel.EMAIL:
            if self.mail is None:
                self.mail = get_connection(timeout=send_timeout())
            with translation.override(language):  # the recipient's, as the text is
                subject = _("守护：督办通知")
            message = EmailMessage(subject, text, None, [address], connection=self.mail)
            _within_time(lambda: message.send(fail_silently=False), send_timeout())
        else:
            self.sms = self.sms or sms_sender()
            _within_time(lambda: self.sms.send(address, text), send_timeout())

    def close(self) -> None:
        if self.mail is not None:
            try:
                self.mail.close()
            except Exception:  # closing a broken connection
                log.warning("mail connection did not close cleanly", exc_info=True)


def deliver(*, now: dt.datetime | None = None, batch_size: int = 500) -> dict[str, int]:
    """Send the pending e-mail and text messages that are due, one message per recipient and channel;
    record each outcome. Never raises for a failed send: the failure is recorded on its rows."""
    now = now or timezone.now()
    done = {"sent": 0, "retrying": 0, "failed": 0}
    senders = _Senders()
    try:
        while True:
            held = _hold(now, batch_size)
            if not held:
                break
            groups: dict[tuple, list[Notification]] = defaultdict(list)
            for note in held:
                groups[(note.user_id, note.channel)].append(note)
            for (_user, channel), notes in groups.items():
                outcome = _send_group(senders, channel, notes, now)
                done[outcome] += len(notes)
            if len(held) < batch_size:
                break
    finally:
        senders.close()
    return done


def _send_group(senders: _Senders, channel: str, notes: list[Notification], now: dt.datetime) -> str:
    pks = [n.pk for n in notes]
    attempts = max(n.attempts for n in notes) + 1
    try:
        address = _address(notes[0].user, channel)
        senders.send(channel, address, _text(notes), texts.language_of(notes[0].user))
    except Undeliverable as exc:
        _failed(notes, why=exc.words, attempts=attempts)
        return "failed"
    except Exception as exc:  # any sender's failure: recorded, retried
        why = _why(exc)
        log.warning(
            "notification to %s by %s failed (attempt %d): %s",
            notes[0].user_id,
            channel,
            attempts,
            why["text"],
        )
        if attempts >= max_attempts():
            _failed(notes, why=why, attempts=attempts)
            return "failed"
        Notification.objects.filter(pk__in=pks, status=Delivery.PENDING).update(
            attempts=attempts, next_attempt_at=timezone.now() + backoff(attempts), **_error_columns(why)
        )
        return "retrying"
    Notification.objects.filter(pk__in=pks, status=Delivery.PENDING).update(
        status=Delivery.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        last_error="",
        error_code="",
        error_params={},
    )
    return "sent"


def _failed(notes: list[Notification], *, why: dict, attempts: int) -> None:
    """Give up on ``notes`` and tell the next tier, in the app, whom the system could not reach."""
    from .services import recipients

    with transaction.atomic():
        Notification.objects.filter(pk__in=[n.pk for n in notes], status=Delivery.PENDING).update(
            status=Delivery.FAILED, attempts=attempts, **_error_columns(why)
        )
        told = []
        for note in notes:
            if note.item is None:
                continue
            up = min(note.tier + 1, Tier.BUREAU)
            words = texts.stored(
                "notice.undelivered",
                channel=note.channel,
                name=str(note.user),
                reason=texts.nested(why["code"], why["params"], why["text"]),
                message=texts.nested(note.code, _with_title(note), note.message),
            )
            for user in recipients(up, note.item.region_code) or [note.user]:
                told.append(
                    Notification(
                        user=user,
                        item=note.item,
                        kind=NoticeKind.UNDELIVERED,
                        tier=up,
                        channel=Channel.IN_APP,
                        message=words["text"][:500],
                        code=words["code"],
                        params=words["params"],
                        status=Delivery.SENT,
                        sent_at=timezone.now(),
                    )
                )
        Notification.objects.bulk_create(told, ignore_conflicts=True)
    log.error("notification undeliverable after %d attempts: %s", attempts, why["text"])


def _with_title(note: Notification) -> dict:
    """A notice's parameters with its item's title in them, to be told inside another notice."""
    params = dict(note.params or {})
    if note.item is not None and note.code in ("notice.due", "notice.overdue"):
        params["title"] = texts.nested(note.item.code, note.item.params, note.item.title)
    return params


def delivery_for(item) -> list[Notification]:
    """Who was told of ``item``, by which channel, and whether it arrived: for the alert's page."""
    if item is None:
        return []
    return list(
        Notification.objects.filter(item=item)
        .exclude(kind=NoticeKind.UNDELIVERED)
        .select_related("user")
        .order_by("tier", "user__username", "channel")
    )
