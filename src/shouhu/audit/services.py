"""Writing the access log. Every opening of a child's file, every list and search calls ``log_access``."""

from __future__ import annotations

from .models import AccessLog, Action


def log_access(*, request, action: str, child=None, query: str = "") -> AccessLog:
    user = request.user
    channel = "api" if request.path.startswith("/api/") else "web"
    return AccessLog.objects.create(
        user=user if user.is_authenticated else None,
        username=getattr(user, "username", "") or "",
        action=action,
        child_id=getattr(child, "pk", None),
        region_code=getattr(child, "region_code", "") or "",
        channel=channel,
        path=request.path[:500],
        query=(query or request.META.get("QUERY_STRING", ""))[:500],
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


__all__ = ["log_access", "Action"]
