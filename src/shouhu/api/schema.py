"""What every operation of the API can answer, documented in one place.

DRF and our own layers answer the same errors across the whole API: no or an expired token (401); a
session that still owes its two-factor code, or a role that may not (403); a record outside the
user's jurisdiction or missing, or a page past the end of a list (404); a filter or page value that
is not valid, or a body that is not (400); a busy throttle (429); and on the records several people
edit (``versions.VersionedViewMixin``) the If-Match header, a stale version (412) and, for a
decision (a POST action on one record), one already taken by someone else (409).

This schema class adds each of those to an operation where it applies, unless the view documents it
more precisely itself; views describe only what is particular to them.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from . import versions

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What is wrong, in the user's language."}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors: each field (or query parameter, or `non_field_errors`) with its messages.",
    "additionalProperties": True,
}
_CURRENT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "version": {"type": "integer", "nullable": True},
        "current": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail"],
}

UNAUTHENTICATED = OpenApiResponse(
    _DETAIL, description="No credentials, or the token is unknown, revoked or expired: sign in again."
)
FORBIDDEN = OpenApiResponse(
    _DETAIL,
    description="Your role may not do this here, or your browser session still owes its two-factor code.",
)
NOT_FOUND = OpenApiResponse(
    _DETAIL, description="No such record within your jurisdiction (a record elsewhere is as missing as none)."
)
PAGE_NOT_FOUND = OpenApiResponse(_DETAIL, description="The page asked for is past the end of the list.")
BAD_QUERY = OpenApiResponse(
    _FIELD_ERRORS,
    description="A filter or page value is not valid (`page` must be a whole number from 1): the "
    "answer names the parameter.",
)
INVALID = OpenApiResponse(_FIELD_ERRORS, description="The input is not valid: the answer names each field.")
THROTTLED = OpenApiResponse(_DETAIL, description="Too many requests: wait the seconds `Retry-After` says.")
STALE = OpenApiResponse(_CURRENT, description=versions.STALE.description)
CONFLICT = OpenApiResponse(_CURRENT, description=versions.CONFLICT.description)

_WRITES = ("POST", "PUT", "PATCH")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the responses (and the If-Match header) every view shares."""

    def _is_versioned_write(self) -> bool:
        return (
            isinstance(self.view, versions.VersionedViewMixin)
            and self.method in _WRITES
            and bool(self._path_parameters())
        )

    def _path_parameters(self) -> list[str]:
        return [p for p in self.path.split("/") if p.startswith("{")]

    def _is_paged_or_filtered_list(self) -> bool:
        if self.method != "GET" or not self._is_list_view():
            return False
        return bool(self._get_paginator() or self._get_filter_parameters())

    def _needs_credentials(self) -> bool:
        permissions = getattr(self.view, "permission_classes", [])
        return bool(self.get_auth()) and not any(
            isinstance(p, type) and issubclass(p, AllowAny) for p in permissions
        )

    def implied_responses(self) -> dict[str, OpenApiResponse]:
        """The shared answers that apply to this operation."""
        implied: dict[str, OpenApiResponse] = {}
        if self._needs_credentials():
            implied["401"] = UNAUTHENTICATED
            implied["403"] = FORBIDDEN
        if self._path_parameters():
            implied["404"] = NOT_FOUND
        if self._is_paged_or_filtered_list():
            implied["400"] = BAD_QUERY
            implied.setdefault("404", PAGE_NOT_FOUND)
        if self.method in _WRITES and self.get_request_serializer() is not None:
            implied.setdefault("400", INVALID)
        if self._is_versioned_write():
            implied["412"] = STALE
            if self.method == "POST":  # a decision on the record (an edit of fields is only ever stale)
                implied["409"] = CONFLICT
        if self.view.get_throttles():
            implied["429"] = THROTTLED
        return implied

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self.implied_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_versioned_write() and not any(
            getattr(p, "name", None) == versions.HEADER for p in parameters
        ):
            parameters.append(versions.IF_MATCH)
        return parameters
