"""API v1 of escalation: the work items a user may see or answers for, and the user's own
notifications in the app. Items are fetched through ``accounts.access`` (outside it, or a malformed
id: 404); handing one over goes through ``escalation.services``. Lists are logged.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.api.errors import NOT_FOUND, forbidden, scoped_get, service_errors
from shouhu.api.filters import region_code
from shouhu.audit.services import Action, log_access
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, WorkItem
from shouhu.regions.models import Region
from shouhu.visits.rules import end_of_day

from .api_serializers import NotificationSerializer, ReassignSerializer, WorkItemSerializer


def request_now(request) -> dt.datetime:
    """One "now" per request, so that the filter and the rows agree on what is overdue."""
    if getattr(request, "now", None) is None:
        request.now = timezone.now()
    return request.now


# --- work items -----------------------------------------------------------------------------------


class WorkItemFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=gettext_lazy("我负责的"), help_text=gettext_lazy("责任人是我本人。")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("已逾期"))
    kind = django_filters.CharFilter(
        label=gettext_lazy("类型"),
        help_text=gettext_lazy("如 visit.director、visit.county、visit.urgent、home.session。"),
    )
    region = django_filters.CharFilter(
        method="filter_region",
        label=gettext_lazy("区划代码"),
        validators=[region_code],
        help_text=gettext_lazy("该区划及其所有下级区划的事项。"),
    )
    due_before = django_filters.DateFilter(
        method="filter_due_before",
        label=gettext_lazy("截止日期不晚于"),
        help_text=gettext_lazy("该日结束前到期的事项。"),
    )
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=[*Status.choices, ("all", gettext_lazy("全部"))],
        label=gettext_lazy("状态"),
        help_text=gettext_lazy("默认只列出待办事项。"),
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=Status.OPEN)
        return super().filter_queryset(queryset)

    def filter_mine(self, queryset, name, value):
        mine = Q(responsible_id=self.request.user.pk)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def filter_overdue(self, queryset, name, value):
        now = request_now(self.request)
        if value:
            return escalation.overdue(queryset, now=now)
        return queryset.exclude(status=Status.OPEN, due_at__lt=now)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__within=value)

    def filter_due_before(self, queryset, name, value: dt.date):
        return queryset.filter(due_at__lte=end_of_day(value))

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)


@extend_schema_view(
    list=extend_schema(
        summary="Work items you may see: due visits, missed sessions, alerts",
        description="The items of your territory and those you answer for, soonest due first; only "
        "open ones unless `status` says otherwise. Each call is logged.",
    ),
)
class WorkItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = WorkItem.objects.none()  # for the schema; get_queryset scopes
    serializer_class = WorkItemSerializer
    filterset_class = WorkItemFilter

    def get_queryset(self):
        return (
            access.work_items_visible_to(self.request.user)
            .select_related("child", "responsible", "alert")
            .order_by("due_at", "pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": request_now(self.request)}

    def list(self, request, *args, **kwargs):
        items = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(items)
        codes = {item.region_code for item in page}
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        context = {**self.get_serializer_context(), "region_names": names}
        data = WorkItemSerializer(page, many=True, context=context).data
        log_access(request=request, action=Action.LIST)
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Hand a work item to another worker of the township",
        description="Supervisors and county staff over the item's place. A worker whose own territory "
        "does not cover the child is granted the child until the item would reach the county.",
        request=ReassignSerializer,
        responses={
            200: WorkItemSerializer,
            400: OpenApiResponse(description='`{"responsible": ["…"]}`: not a worker of this township.'),
            403: OpenApiResponse(description="You see the item but may not reassign it."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        item = scoped_get(self.get_queryset(), pk)
        body = ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = User.objects.filter(pk=body.validated_data["responsible"], is_active=True).first()
        if to is None:
            raise serializers.ValidationError({"responsible": [_("没有这个用户，或账号已停用。")]})
        try:
            item = escalation.item_reassign(actor=request.user, item=item, to=to)
        except PermissionError as exc:
            raise forbidden(exc) from exc
        except DjangoValidationError as exc:
            raise service_errors(exc, own={"responsible"}) from exc
        if item.child_id:
            log_access(request=request, action=Action.UPDATE, child=item.child)
        item = self.get_queryset().get(pk=item.pk)
        return Response(WorkItemSerializer(item, context=self.get_serializer_context()).data)


# --- notifications --------------------------------------------------------------------------------


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=gettext_lazy("未读")
    )

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Your notifications (in the app), newest first", description="Logged."),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return escalation.notifications_for(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses={200: NotificationSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = scoped_get(self.get_queryset(), pk)
        escalation.notifications_read(user=request.user, notifications=self.get_queryset().filter(pk=note.pk))
        note.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(note).data)
