"""API v1 of the dashboards: the figures of one region for a quarter or a date range."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shouhu.accounts import access
from shouhu.api.errors import NOT_FOUND
from shouhu.audit.services import Action, log_access
from shouhu.insight import selectors
from shouhu.insight.forms import PeriodForm


class _Count(serializers.Serializer):
    code = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    n = serializers.IntegerField()


class _Area(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    children = serializers.IntegerField()
    left_behind = serializers.IntegerField()
    difficulty = serializers.IntegerField()
    overdue = serializers.IntegerField()
    alerts = serializers.IntegerField()
    cases = serializers.IntegerField()


class _Alerts(serializers.Serializer):
    severity = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Open past their deadline.")
    days = serializers.IntegerField(allow_null=True, help_text="Age of the oldest, in days.")


class _Visits(serializers.Serializer):
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True, help_text="Per cent of the visits due that were done.")
    recorded = serializers.IntegerField(help_text="Visit records of the period (any outcome).")


class _Status(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()


class _Age(serializers.Serializer):
    band = serializers.CharField()
    n = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    start = serializers.DateField()
    end = serializers.DateField()
    children = serializers.IntegerField(help_text="Registered (not exited) children now.")
    categories = _Count(many=True)
    ages = _Age(many=True)
    areas = _Area(many=True, help_text="One row per area one level down; empty for a village.")
    changes = serializers.DictField(child=serializers.IntegerField())
    visits = _Visits()
    sessions = serializers.IntegerField(help_text="Children's-home sessions held in the period.")
    alerts = _Alerts(many=True)
    cases = serializers.DictField(child=serializers.IntegerField())
    reports = _Status(many=True)


class DashboardView(APIView):
    @extend_schema(
        summary="The dashboard figures of a region",
        description="A county, township or village in your jurisdiction (404 otherwise), for a quarter "
        "(`quarter=2026-Q3`) or a date range (`start`, `end`; at most two years); the current quarter "
        "by default. The same figures as the dashboard page.",
        parameters=[
            OpenApiParameter("quarter", str, description="e.g. 2026-Q3"),
            OpenApiParameter("start", str, description="YYYY-MM-DD, with end"),
            OpenApiParameter("end", str, description="YYYY-MM-DD, with start"),
        ],
        responses={200: DashboardSerializer, 400: None, 404: NOT_FOUND},
    )
    def get(self, request, code):
        place = access.get_region_for(request.user, code)
        form = PeriodForm(request.query_params or None)
        if request.query_params and not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        start, end = form.period()
        board = selectors.dashboard(user=request.user, region=place, start=start, end=end)
        log_access(request=request, action=Action.LIST)
        return Response(DashboardSerializer(board).data)
