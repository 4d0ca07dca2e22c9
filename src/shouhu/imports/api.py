"""API v1 of register imports: upload a sheet, follow its check, read its problems, commit (all or
nothing, or the valid rows only), download the rows with problems as a sheet to fix, cancel.

Thin, as the web import (``imports.views``): the same right (``access.can_create_children``; without it
403), a job is its uploader's alone (another's, or a malformed id: 404), every write goes through
``imports.jobs``. The check and the commit run in the background: poll the job for ``status`` and
``progress``. A broker that does not answer fails the step at once (503; ``retryable``).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import call, forbidden
from shouhu.api.pagination import PageNumberPagination
from shouhu.api.schema import BAD_QUERY
from shouhu.audit.services import Action, log_access
from shouhu.imports import jobs, selectors
from shouhu.imports.errorsheet import error_sheet
from shouhu.imports.models import ImportJob
from shouhu.imports.reader import SheetError

from .api_serializers import (
    CommitSerializer,
    ImportJobSerializer,
    ProblemPageSerializer,
    UploadSerializer,
)

NOT_FOUND = OpenApiResponse(description="No such import of yours (another's, or none: not told apart).")
REFUSED = OpenApiResponse(description="You may not register children.")
CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='The job is not in a state for this (`{"detail": "…"}`): already committing or ended, '
    "still running, or rows with problems and `valid_only` not chosen.",
)
UNAVAILABLE = OpenApiResponse(
    ImportJobSerializer,
    description="The background queue did not answer: the step failed at once, its file kept; retry "
    "later (the job is `retryable`).",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _forbid_without_right(request) -> None:
    if not access.can_create_children(request.user):
        raise exceptions.PermissionDenied()


@extend_schema_view(
    list=extend_schema(
        summary="Your latest imports", responses={200: ImportJobSerializer(many=True), 403: REFUSED}
    ),
    retrieve=extend_schema(
        summary="An import: its status and progress",
        description="Poll while `running`: `rows_done` of `rows_total`, `progress` (percent of the commit).",
        responses={200: ImportJobSerializer, 404: NOT_FOUND},
    ),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportJob.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list = []
    pagination_class = None
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        _forbid_without_right(self.request)
        return selectors.jobs_of(self.request.user, limit=50)

    def get_object(self):
        # Another's job, or any job for a user without the right: 404, as the web import answers.
        try:
            pk = uuid.UUID(str(self.kwargs["pk"]))
        except ValueError as exc:
            raise Http404 from exc
        return selectors.job_for(self.request.user, pk)

    @extend_schema(
        summary="Upload a register: its check starts",
        description="Answers 201 with the job, `checking`. The check reports every problem of every "
        "row; rows without a problem can be committed while the others come back as the error sheet.",
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: ImportJobSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No file, or a file that cannot be taken "
                '(`{"file": ["…"]}`: wrong type, too big).',
            ),
            403: REFUSED,
            503: UNAVAILABLE,
        },
    )
    def create(self, request):
        _forbid_without_right(request)
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        file = body.validated_data["file"]
        try:
            job = jobs.job_create(actor=request.user, upload=file)
        except SheetError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from exc
        except DjangoPermissionDenied as exc:
            raise forbidden(exc) from exc
        log_access(request=request, action=Action.CREATE, query=f"import check: {job.pk} {file.name}")
        self._send(job)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    def _send(self, job) -> None:
        call(jobs.job_enqueue, job=job)

    @extend_schema(
        summary="The rows with problems, page by page",
        description="Every problem of a row together, each named by the sheet's own column header and "
        "the row number the spreadsheet shows. The job keeps the first 5,000 problems (`truncated`); "
        "the error sheet has them all.",
        parameters=[
            OpenApiParameter(
                "page",
                OpenApiTypes.INT,
                description="From 1. Not a whole number from 1: 400; past the last page: 404.",
            )
        ],
        responses={
            200: ProblemPageSerializer,
            400: BAD_QUERY,
            403: REFUSED,
            404: OpenApiResponse(description="No such import of yours, or a page past the last."),
        },
    )
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        job = self.get_object()
        rows: dict[int, list] = {}
        for p in job.problems:
            rows.setdefault(p["row"], []).append({"column": p["column"], "message": p["message"]})
        listed = [{"row": n, "errors": errors} for n, errors in sorted(rows.items())]
        paginator = Paginator(listed, PAGE_SIZE)
        page = PageNumberPagination().get_page_number(request, paginator)  # 400 unless a whole number ≥ 1
        if page > paginator.num_pages:
            raise exceptions.NotFound()
        pages = paginator.num_pages
        results = paginator.page(page).object_list
        log_access(request=request, action=Action.VIEW, query=f"import problems: {job.pk}")
        return Response(
            ProblemPageSerializer(
                {"count": len(listed), "page": page, "pages": pages, "results": results}
            ).data
        )

    @extend_schema(
        summary="Commit a checked import",
        description="All or nothing by default; `valid_only` imports the rows without problems and "
        "leaves the others. Answers 202: poll the job. Re-importing a corrected sheet adds only what "
        "is missing (children are matched by ID number).",
        request=CommitSerializer,
        responses={
            202: ImportJobSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors."),
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            503: UNAVAILABLE,
        },
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        job = self.get_object()
        body = CommitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            claimed = jobs.job_commit_request(
                actor=request.user, job=job, confirmed=data["confirm"], valid_only=data["valid_only"]
            )
        except jobs.Refused as exc:
            raise Conflict(str(exc)) from exc
        except DjangoPermissionDenied as exc:
            raise forbidden(exc) from exc
        if not claimed:
            raise Conflict(_already())
        log_access(
            request=request,
            action=Action.CREATE,
            query=f"import commit: {job.pk} valid_only={data['valid_only']}",
        )
        self._send(job)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The rows with problems as a sheet to fix and upload again",
        description="The sheet's columns as read, each refused row with its cells as uploaded, its row "
        "number and every problem (原行号, 错误). Kept until the job expires; a job with no such rows "
        "(or expired) gives the sheet with its header only (`error_sheet` on the job tells).",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY), 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="error-sheet")
    def error_sheet(self, request, pk=None):
        job = self.get_object()
        data = error_sheet(jobs.rejected_path(job))  # no rows kept: a sheet with its header only
        log_access(request=request, action=Action.EXPORT, query=f"import error sheet: {job.pk}")
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="import-errors-{job.pk}.xlsx"'
        return response

    @extend_schema(
        summary="Cancel an import (its files are deleted)",
        description="A job waiting for its commit or its retry is cancelled; for an ended job, the rows "
        "kept for its error sheet are deleted.",
        request=None,
        responses={200: ImportJobSerializer, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        try:
            done = jobs.job_cancel(actor=request.user, job=job)
        except jobs.Refused as exc:
            raise Conflict(str(exc)) from exc
        if not done:
            raise Conflict(_nothing_to_cancel())
        log_access(request=request, action=Action.UPDATE, query=f"import cancel: {job.pk}")
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)


def _already() -> str:
    from django.utils.translation import gettext

    return gettext("这个文件已经在导入或已经结束，不能再次确认。")


def _nothing_to_cancel() -> str:
    from django.utils.translation import gettext

    return gettext("这个文件已经结束，没有需要取消或删除的内容。")
