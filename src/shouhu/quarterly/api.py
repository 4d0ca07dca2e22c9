"""API v1 of quarterly reports: report jobs (create enqueues the generation; retrieve shows the status
and progress), the PDF and Excel downloads, and the township → county submission.

Thin, as the other modules' APIs: reports are fetched through ``accounts.access`` (out of reach or a
malformed id: 404), every change goes through ``quarterly.services``, whose refusals answer 403 and
whose field errors answer 400. Every download is logged.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shouhu.api.errors import NOT_FOUND, call

from . import downloads, permissions, selectors, services
from .downloads import XLSX
from .models import JobStatus, QuarterlyReport, ReportEvent, Submission

INVALID = OpenApiResponse(description='Field errors shaped like the request body: `{"quarter": ["…"]}`.')
REFUSED = OpenApiResponse(description="You see the report but may not do this to it.")
UNAVAILABLE = OpenApiResponse(
    description="The background-job service does not answer: nothing was kept; try again later."
)


class QuarterlyEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = ["kind", "by", "at", "comment"]

    def get_by(self, obj) -> str | None:
        return str(obj.by) if obj.by_id else None


class QuarterlyReportSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    title = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField()
    deidentified = serializers.SerializerMethodField(
        help_text="Whether your downloads are the de-identified form (no child's name or ID number): "
        "everyone but the township's own supervisor, and every county report."
    )
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()
    figures = serializers.DictField(read_only=True, help_text="The headline figures as generated.")
    events = QuarterlyEventSerializer(many=True, read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "quarter",
            "version",
            "title",
            "language",
            "job_status",
            "progress",
            "error",
            "requested_by",
            "requested_at",
            "finished_at",
            "deidentified",
            "pdf_url",
            "xlsx_url",
            "figures",
            "status",
            "submitted_at",
            "reviewed_at",
            "comment",
            "events",
        ]
        read_only_fields = fields

    def get_title(self, obj) -> str:
        return selectors.title_of(obj.region, obj.year, obj.quarter)

    def get_requested_by(self, obj) -> str | None:
        return str(obj.requested_by) if obj.requested_by_id else None

    def get_deidentified(self, obj) -> bool:
        return not selectors.reads_names(self.context["request"].user, obj)

    def _url(self, obj, name: str) -> str | None:
        return reverse(f"v1:quarterly-report-{name}", kwargs={"pk": obj.pk}) if obj.done else None

    def get_pdf_url(self, obj) -> str | None:
        return self._url(obj, "pdf")

    def get_xlsx_url(self, obj) -> str | None:
        return self._url(obj, "xlsx")


class QuarterlyReportCreateSerializer(serializers.Serializer):
    region = serializers.CharField(
        max_length=12, help_text="The township (9 digits) or county (6 digits) whose report you generate."
    )
    year = serializers.IntegerField(min_value=2016, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class QuarterlyCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class QuarterlyReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, help_text="What the township must change; it sees this.")


class QuarterlyTownshipSerializer(serializers.Serializer):
    code = serializers.CharField(source="township.code")
    name = serializers.CharField(source="township.name")
    state = serializers.ChoiceField(
        choices=Submission.choices, help_text="`draft`: not submitted (nothing submitted for the quarter)."
    )
    report = serializers.UUIDField(source="report.pk", allow_null=True, default=None)
    submitted_at = serializers.DateTimeField(source="report.submitted_at", allow_null=True, default=None)
    comment = serializers.CharField(source="report.comment", allow_null=True, default=None)


class QuarterlyReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    quarter = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=Submission.choices)
    job_status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = QuarterlyReport
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Quarterly reports you may read", description="Newest quarter first."),
    retrieve=extend_schema(
        summary="A report job: its generation status and progress, files and submission",
        responses={200: QuarterlyReportSerializer, 404: NOT_FOUND},
    ),
)
class QuarterlyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = QuarterlyReport.objects.none()  # for the schema; get_queryset scopes
    serializer_class = QuarterlyReportSerializer
    filterset_class = QuarterlyReportFilter

    def get_queryset(self):
        return (
            permissions.quarterly_reports.queryset(self.request.user)
            .select_related("region__parent", "requested_by")
            .prefetch_related("events__by")
        )

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (DjangoValidationError, ValueError, QuarterlyReport.DoesNotExist) as exc:
            raise Http404 from exc

    def perform_content_negotiation(self, request, force=False):
        # A download answers with its file whatever the Accept header; errors answer in JSON.
        return super().perform_content_negotiation(request, force=True)

    def _answer(self, report, code=status.HTTP_200_OK) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(
            QuarterlyReportSerializer(report, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        summary="Generate a report (a new version), in the background",
        description="The township's child supervisor for the township, the county's guidance-centre staff "
        "for the county. Answers at once with the job (`job_status` queued); follow `progress` with GET. "
        "Each generation is kept as a new version. In your interface language.",
        request=QuarterlyReportCreateSerializer,
        responses={201: QuarterlyReportSerializer, 400: INVALID, 403: REFUSED, 503: UNAVAILABLE},
    )
    def create(self, request):
        body = QuarterlyReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = call(
            services.report_request,
            actor=request.user,
            region_code=body.validated_data["region"],
            year=body.validated_data["year"],
            quarter=body.validated_data["quarter"],
        )
        return self._answer(report, status.HTTP_201_CREATED)

    def _download(self, request, kind: str):
        return downloads.report_file(request, self.get_object(), kind)

    @extend_schema(
        summary="Download the PDF",
        description="Named for the township's own supervisor, de-identified for everyone else. Logged.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return self._download(request, "pdf")

    @extend_schema(
        summary="Download the Excel workbook",
        description="The same figures as the PDF, one sheet per section. Logged.",
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return self._download(request, "xlsx")

    @extend_schema(
        summary="Submit a township's report to the county",
        description="The township's child supervisor; a generated version, first time or after the county "
        "returned one. One version of a quarter waits for the county at a time.",
        request=None,
        responses={200: QuarterlyReportSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        return self._answer(call(services.report_submit, actor=request.user, report=report))

    @extend_schema(
        summary="Acknowledge a township's submitted report (county)",
        description="The county's guidance-centre staff; never one's own report.",
        request=QuarterlyCommentSerializer,
        responses={200: QuarterlyReportSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self.get_object()
        body = QuarterlyCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = call(
            services.report_acknowledge,
            actor=request.user,
            report=report,
            comment=body.validated_data["comment"],
        )
        return self._answer(done)

    @extend_schema(
        summary="Return a township's submitted report with a comment (county)",
        description="The township sees the comment and submits again.",
        request=QuarterlyReturnSerializer,
        responses={200: QuarterlyReportSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        body = QuarterlyReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = call(
            services.report_return, actor=request.user, report=report, comment=body.validated_data["comment"]
        )
        return self._answer(done)

    @extend_schema(
        summary="The county's townships and whether each submitted its report for a quarter",
        description="County-level users. Without `year` and `quarter`: the quarter that ended last.",
        parameters=[
            OpenApiParameter("year", int, required=False),
            OpenApiParameter("quarter", int, required=False, enum=[1, 2, 3, 4]),
        ],
        responses={200: QuarterlyTownshipSerializer(many=True), 400: INVALID, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def townships(self, request):
        county = selectors.county_for(request.user)
        if county is None:
            raise Http404
        year, quarter = selectors.previous_quarter()
        errors = {}
        try:
            year = int(request.query_params.get("year", year))
        except ValueError:
            errors["year"] = [_("请填写年份数字。")]
        try:
            quarter = int(request.query_params.get("quarter", quarter))
        except ValueError:
            errors["quarter"] = [_("季度须为1至4。")]
        if not errors and quarter not in (1, 2, 3, 4):
            errors["quarter"] = [_("季度须为1至4。")]
        if not errors and not 2016 <= year <= 2100:
            errors["year"] = [_("年度须在%(first)s年至今年之间。") % {"first": 2016}]
        if errors:
            raise exceptions.ValidationError(errors)
        states = selectors.township_states(user=request.user, county=county, year=year, quarter=quarter)
        return Response(QuarterlyTownshipSerializer(states, many=True).data)
