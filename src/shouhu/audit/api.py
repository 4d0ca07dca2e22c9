"""API v1 of the audit: the access log and the change history, read-only, for the readers
``access.can_read_audit`` admits (others: 403). Filters are the web page's, checked the same way."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from shouhu.accounts import access

from .exports import full_names
from .forms import AccessLogFilterForm, HistoryFilterForm
from .models import AccessLog, Action, Channel
from .redact import display
from .selectors import KIND_LABELS, PARTS, access_log_search, changes_detail, changes_search


class AccessLogSerializer(serializers.ModelSerializer):
    username = serializers.CharField(read_only=True, help_text="The login name the row was logged with.")
    full_name = serializers.SerializerMethodField(
        help_text="The person's full name (the login name where none is recorded, or the account is gone)."
    )

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "username",
            "full_name",
            "action",
            "channel",
            "child_id",
            "region_code",
            "path",
            "query",
            "ip",
        ]
        read_only_fields = fields

    def get_full_name(self, row: AccessLog) -> str:
        names = self.context.get("full_names")
        if names is None:
            names = full_names([row.user_id])
        return names.get(row.user_id) or row.username

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["path"], data["query"] = display(data["path"]), display(data["query"])
        return data


class ChangeSerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    username = serializers.CharField(help_text="Empty when the change was made by a job or a command.")
    full_name = serializers.CharField(help_text="The person's full name; empty as the username is.")
    child_id = serializers.UUIDField()
    part = serializers.ChoiceField(choices=[(p.key, p.label) for p in PARTS])
    kind = serializers.ChoiceField(
        choices=list(KIND_LABELS.items()), help_text="`+` created, `~` changed, `-` deleted."
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="The names of the fields changed, never their values."
    )


def _common(extra: list[OpenApiParameter]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("username", OpenApiTypes.STR, description="Part of the user name."),
        OpenApiParameter("child", OpenApiTypes.UUID, description="The child's id."),
        OpenApiParameter(
            "region",
            OpenApiTypes.STR,
            description="A region code (2–12 digits) and below.",
            pattern=r"^\d{2,12}$",
        ),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (local time)."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to and including this day."),
        *extra,
    ]


REFUSED = OpenApiResponse(description="Only county staff, civil affairs and administrators read the audit.")
INVALID = OpenApiResponse(description='Filter errors by parameter: `{"date_to": ["…"]}`.')
NO_PAGE = OpenApiResponse(description="No such page.")


class _AuditView(generics.GenericAPIView):
    filter_backends: list = []
    form_class: type = AccessLogFilterForm

    def filters(self, request):
        if not access.can_read_audit(request.user):
            raise PermissionDenied(_("只有县级工作人员和管理员可以查阅审计记录。"))
        form = self.form_class(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        return form.filters()


class AccessLogList(_AuditView):
    serializer_class = AccessLogSerializer
    queryset = AccessLog.objects.none()  # for the schema; the reader's rows come from the selector

    @extend_schema(
        summary="Search the access log of your county",
        description="Who opened which child's file, list, search or export, when, from where; newest first.",
        parameters=_common(
            [
                OpenApiParameter("action", OpenApiTypes.STR, enum=Action.values),
                OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
                OpenApiParameter(
                    "searched",
                    OpenApiTypes.STR,
                    description="A whole ID or mobile number: the rows of searches and pages that held it "
                    "(the log stores it as its keyed hash, shown as `[身份证号 #…]`).",
                ),
            ]
        ),
        responses={200: AccessLogSerializer(many=True), 400: INVALID, 403: REFUSED, 404: NO_PAGE},
    )
    def get(self, request):
        rows = access_log_search(user=request.user, wanted=self.filters(request))
        page = self.paginate_queryset(rows)
        names = full_names(row.user_id for row in page)  # one query for the page
        serializer = self.get_serializer(
            page, many=True, context={**self.get_serializer_context(), "full_names": names}
        )
        return self.get_paginated_response(serializer.data)


class ChangeList(_AuditView):
    serializer_class = ChangeSerializer
    form_class = HistoryFilterForm
    queryset = AccessLog.objects.none()  # for the schema only

    @extend_schema(
        summary="Who changed what in the children's files of your county",
        description="One history across the child, parents, carer, rescue contacts, visits, the basis "
        "for holding the data and guardians' requests; field names only; newest first.",
        parameters=_common(
            [
                OpenApiParameter("part", OpenApiTypes.STR, enum=[p.key for p in PARTS]),
                OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KIND_LABELS)),
            ]
        ),
        responses={200: ChangeSerializer(many=True), 400: INVALID, 403: REFUSED, 404: NO_PAGE},
    )
    def get(self, request):
        rows = changes_search(user=request.user, wanted=self.filters(request))
        if rows is None:
            return Response({"count": 0, "next": None, "previous": None, "results": []})
        page = self.paginate_queryset(rows)
        changes = changes_detail(user=request.user, rows=list(page))
        data = [
            {
                "when": c.when,
                "username": c.username,
                "full_name": c.person,
                "child_id": c.child_id,
                "part": c.part,
                "kind": c.kind,
                "changed_fields": c.fields,
            }
            for c in changes
        ]
        return self.get_paginated_response(ChangeSerializer(data, many=True).data)
