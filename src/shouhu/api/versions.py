"""Versions in the API: ETag on what a versioned record answers, If-Match on what changes it.

- Every answer of one versioned record (child, alert, case, referral, assistance application) carries
  its ``version`` and an ``ETag: W/"<version>"`` (weak: what a user receives depends on the tiers
  they see).
- A PATCH or a POST action on one sends ``If-Match: W/"<version>"`` (or ``"<version>"``), or, for
  clients that cannot set headers, ``"version": <n>`` in the body. A record saved since answers
  **412 Precondition Failed** with the record as it now is (``current``) and its ``version``; nothing is
  written. A header that is not of this form answers 400 naming the header.
- Without either, the write is allowed (older clients): it is applied to the record as saved, so a
  field the client did not send is never overwritten, and a decision met by another one answers **409
  Conflict** with the current record (see ``shouhu.versioning``). Our web pages always send the version.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu import versioning

HEADER = "If-Match"

IF_MATCH = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the record as you read it (`W/"3"`); or send `version` in the body.',
)
STALE = OpenApiResponse(
    description="The record was saved since the version you sent: nothing was written; `current` is the "
    "record as it now is, `version` its version."
)
CONFLICT = OpenApiResponse(
    description="Someone else decided first (or the report already has its case): `current` is the "
    "record as it now is; nothing was written."
)


def expected_version(request) -> int | None:
    """The version the client acted on: the If-Match header, else the body's ``version``."""
    header = request.headers.get(HEADER)
    if header is not None:
        try:
            return versioning.parse_if_match(header)
        except ValueError as exc:
            raise serializers.ValidationError(
                {
                    HEADER: [
                        _(
                            '请求头 If-Match 格式不对：应为 W/"版本号" 或 "版本号"（取自 ETag），'
                            "收到的是 %(value)s。"
                        )
                        % {"value": header[:40]}
                    ]
                }
            ) from exc
    body = request.data.get("version") if hasattr(request.data, "get") else None
    try:
        return versioning.parse(body)
    except (TypeError, ValueError) as exc:
        raise serializers.ValidationError({"version": [_("version 应为正整数（记录的版本号）。")]}) from exc


def represent(obj, request) -> dict:
    """The record as its own endpoint answers it."""
    from shouhu.assistance.api_serializers import ApplicationSerializer
    from shouhu.assistance.models import Application
    from shouhu.cases.api_serializers import AlertSerializer, CaseSerializer
    from shouhu.cases.models import Alert, Case
    from shouhu.children.api_serializers import ChildSerializer
    from shouhu.children.models import Child
    from shouhu.referrals.api_serializers import ReferralSerializer
    from shouhu.referrals.models import Referral

    for model, serializer in (
        (Child, ChildSerializer),
        (Alert, AlertSerializer),
        (Case, CaseSerializer),
        (Referral, ReferralSerializer),
        (Application, ApplicationSerializer),
    ):
        if isinstance(obj, model):
            return serializer(obj, context={"request": request}).data
    return {"id": str(obj.pk)}


class VersionedViewMixin:
    """For the viewsets of versioned records: the ETag, and ``Stale`` / ``Conflict`` as 412 / 409."""

    def expected_version(self, request) -> int | None:
        return expected_version(request)

    def handle_exception(self, exc):
        if isinstance(exc, versioning.Stale):
            return self._answer_current(
                exc.current,
                status.HTTP_412_PRECONDITION_FAILED,
                _(
                    "该记录在您读取后已被他人修改（当前版本 %(now)s，您的版本 %(was)s），未保存。"
                    "请重新读取后再改。"
                )
                % {"now": exc.current.version, "was": exc.expected},
            )
        if isinstance(exc, versioning.Conflict):
            return self._answer_current(exc.current, status.HTTP_409_CONFLICT, exc.message)
        return super().handle_exception(exc)

    def _answer_current(self, current, code: int, detail: str) -> Response:
        response = Response(
            {
                "detail": detail,
                "version": getattr(current, "version", None),
                "current": represent(current, self.request),
            },
            status=code,
        )
        if getattr(current, "version", None):
            response["ETag"] = versioning.etag(current.version)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, dict)
            and "id" in data
            and isinstance(data.get("version"), int)
        ):
            response["ETag"] = versioning.etag(data["version"])
        return response
