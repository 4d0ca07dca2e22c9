"""Inactivity signs a user out: a session ends ``SESSION_COOKIE_AGE`` after the last request. Rather
than write the session on every page (a database write and commit for a page that only reads), the
expiry is pushed forward at most once every ``SESSION_REFRESH_SECONDS``: the session then ends between
``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` after the last request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCHED = "shouhu_touched"  # the session key: when the session's expiry was last pushed forward


@receiver(user_logged_in, dispatch_uid="shouhu.accounts.sessions.signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    """Signing in saves the session with a full expiry: the first pages after it need not write it."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED] = int(time.time())


class SlidingSessionMiddleware:
    """After ``SessionMiddleware`` and ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Signed in through this session: a request signed by an API token has no session to extend.
        if session is not None and session.session_key and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[TOUCHED] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
