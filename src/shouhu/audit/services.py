"""Writing the access log. Every opening of a child's file, every list and search calls ``log_access``;
work done without a request (the retention and anonymisation commands) calls ``log_event``. Both pass
the path and the query through ``redact``: no ID or mobile number is stored in clear."""

from __future__ import annotations

from .models import AccessLog, Action, Channel
from .redact import redact, redact_query_string


def log_access(*, request, action: str, child=None, query: str = "") -> AccessLog:
    user = request.user
    channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
    return AccessLog.objects.create(
        user=user if user.is_authenticated else None,
        username=getattr(user, "username", "") or "",
        action=action,
        child_id=getattr(child, "pk", None),
        region_code=getattr(child, "region_code", "") or "",
        channel=channel,
        path=redact(request.path)[:500],
        query=(redact(query) if query else redact_query_string(request.META.get("QUERY_STRING", "")))[:500],
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def log_event(
    *,
    action: str,
    what: str,
    detail: str = "",
    user=None,
    child_id=None,
    region_code: str = "",
) -> AccessLog:
    """A row for work done by a command or a job: ``what`` names the command, ``detail`` says what it did."""
    return AccessLog.objects.create(
        user=user,
        username=getattr(user, "username", "") or "system",
        action=action,
        child_id=child_id,
        region_code=region_code or "",
        channel=Channel.JOB,
        path=redact(what)[:500],
        query=redact(detail)[:500],
    )


__all__ = ["log_access", "log_event", "Action"]
