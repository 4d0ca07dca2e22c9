"""Where notifications go beyond the app: e-mail through Django's mail backend (console in the demo)
and a pluggable SMS/WeChat sender chosen by ``SHOUHU_SMS_SENDER`` (a dotted path to a class with a
``send(phone, message)`` method). The default only logs, so nothing leaves the machine unasked."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("shouhu.notifications")


class SmsSender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class LoggingSmsSender:
    def send(self, phone: str, message: str) -> None:
        log.info("SMS to %s: %s", phone, message)


def sms_sender() -> SmsSender:
    path = getattr(settings, "SHOUHU_SMS_SENDER", "shouhu.escalation.senders.LoggingSmsSender")
    return import_string(path)()
