"""The one translator of the whole API: a service's refusal (Django's ``PermissionDenied``) answers
403, its field errors (Django's ``ValidationError``) answer 400 in DRF's field-error shape, a
background queue that does not answer (``jobs.QueueUnavailable``) 503, and a
record outside the user's jurisdiction, or a malformed id, answers 404. Every app's ``api.py`` uses
these, and documents the answers with the responses below.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.settings import api_settings

from shouhu.jobs import QueueUnavailable

# The nested parts of a child, as ``children.services`` names them in its error keys.
LIST_PARTS = ("parents", "contacts")
OBJECT_PARTS = ("carer",)

NOT_FOUND = OpenApiResponse(
    description="Not found, or outside your jurisdiction (the two are not told apart)."
)
INVALID = OpenApiResponse(
    description='Field errors shaped like the request body: `{"reason": ["…"]}`, a rule\'s parameters '
    'nested (`{"params": {"max_age": ["…"]}}`), errors of no single field under `non_field_errors`. '
    "Nothing is saved."
)
REFUSED = OpenApiResponse(description="You see the record but may not do this to it.")


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


def scoped_get(queryset, pk):
    """One object of a scoped queryset, or 404 — also for a malformed id."""
    return get_object_or_404(queryset, pk=pk)


def forbidden(exc: Exception) -> exceptions.PermissionDenied:
    detail = exc.messages[0] if isinstance(exc, DjangoValidationError) else str(exc)
    return exceptions.PermissionDenied(detail or None)


def service_errors(
    exc: DjangoValidationError, *, own: set[str] = frozenset(), changes_key: str | None = None, sent=None
) -> serializers.ValidationError:
    """A service's ``ValidationError`` as DRF field errors; dotted keys nest (``params.max_age``), errors
    of no single field go under ``non_field_errors``.

    With ``changes_key``, keys of the resource itself (``own``) stay at the top and the registry's keys
    (``parents.father.situation``, ``carer.birth_date``, a child field) go under ``changes_key`` in the
    shape that was sent: ``{"facts": {"parents": {"father": {...}}}}``."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({non_field: exc.messages})
    sent_fields = set((sent or {}).get("fields") or {})
    errors: dict[str, Any] = {}
    for key, messages in exc.message_dict.items():
        head, _sep, rest = key.partition(".")
        if key == "__all__":
            errors.setdefault(non_field, []).extend(messages)
        elif changes_key and head in ("parents", "carer") and rest:
            part = errors.setdefault(changes_key, {}).setdefault(head, {})
            if head == "parents":
                role, _sep, field = rest.partition(".")
                slot = part.setdefault(role, {})
                slot.setdefault(field or non_field, []).extend(messages)
            else:
                part.setdefault(rest, []).extend(messages)
        elif changes_key and head in ("parents", "carer"):
            errors.setdefault(changes_key, {}).setdefault(head, {}).setdefault(non_field, []).extend(messages)
        elif changes_key and (key in sent_fields or key not in own):
            errors.setdefault(changes_key, {}).setdefault("fields", {}).setdefault(key, []).extend(messages)
        elif rest:
            errors.setdefault(head, {}).setdefault(rest, []).extend(messages)
        else:
            errors.setdefault(key, []).extend(messages)
    return serializers.ValidationError(errors)


def domain_errors(exc: DjangoValidationError, body) -> serializers.ValidationError:
    """Turn the service's errors (dotted keys: ``parents.father.birth_date``, ``carer.birth_date``,
    ``contacts.0.phone``) into DRF field errors shaped like the request body."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    body = body if hasattr(body, "get") else {}
    errors: dict[str, Any] = {}
    for key, messages in exc.message_dict.items():
        head, _sep, rest = key.partition(".")
        if head == "__all__":
            errors.setdefault(non_field, []).extend(messages)
        elif head in LIST_PARTS and rest:
            item_key, _sep, field = rest.partition(".")
            items = body.get(head) if isinstance(body.get(head), list) else []
            index = _item_index(head, item_key, items)
            if index is None:  # not an item the client sent: keep the service's own key
                errors.setdefault(key, []).extend(messages)
                continue
            slots = errors.setdefault(head, [{} for _item in items])
            slots[index].setdefault(field or non_field, []).extend(messages)
        elif head in OBJECT_PARTS and rest:
            errors.setdefault(head, {}).setdefault(rest, []).extend(messages)
        else:
            errors.setdefault(key, []).extend(messages)
    return serializers.ValidationError(errors)


def _item_index(part: str, item_key: str, items: list) -> int | None:
    if part == "parents":
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get("role") == item_key:
                return index
        return None
    if item_key.isdigit() and int(item_key) < len(items):
        return int(item_key)
    return None


def call(service, **kwargs):
    """Run a service, its refusals as 403, its field errors as 400 and a background queue that does
    not answer as 503."""
    try:
        return service(**kwargs)
    except DjangoPermissionDenied as exc:
        raise forbidden(exc) from exc
    except DjangoValidationError as exc:
        raise service_errors(exc) from exc
    except QueueUnavailable as exc:
        raise Unavailable(str(exc)) from exc
