"""API v1 of cross-checks: runs (upload a list: a dry run or the check), differences, closing one.

Thin: runs and differences are read through ``selectors`` (scoped by ``accounts.access``: outside the
jurisdiction, or a malformed id, is 404); uploads and closings go through ``services``, whose
refusals answer 403 and whose field errors answer 400. A list with problems answers 400 with every
problem by row and column, and nothing is stored.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from shouhu.accounts.models import Organisation, OrganisationKind
from shouhu.api.errors import NOT_FOUND, call
from shouhu.audit.services import Action, log_access

from . import selectors, services
from .models import CrossCheck, Difference, DifferenceKind, ListKind, Resolution

REFUSED = OpenApiResponse(description="You may not do this here.")


class CountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DifferenceKind.choices)
    label = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()


def _name(person) -> str:
    return str(person) if person is not None else ""


class RunSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", default="", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", default="", read_only=True, help_text="The uploader's login name."
    )
    uploaded_by_name = serializers.SerializerMethodField(
        help_text="The uploader's full name (the login name when none is recorded); empty for none."
    )
    counts = serializers.SerializerMethodField()

    class Meta:
        model = CrossCheck
        fields = [
            "id",
            "kind",
            "school",
            "school_name",
            "region_code",
            "file_name",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "rows",
            "compared",
            "matched",
            "out_of_reach",
            "grades",
            "counts",
        ]
        read_only_fields = fields

    def get_uploaded_by_name(self, run) -> str:
        return _name(run.uploaded_by)

    @extend_schema_field(CountSerializer(many=True))
    def get_counts(self, run) -> list[dict]:
        user = self.context["request"].user
        counted = self.context.get("counts", {})
        if run.pk in counted:
            rows = counted[run.pk]
        else:
            rows = selectors.counts_by_kind(selectors.differences_for(user=user, run=run))
        return [{"kind": k, "label": str(label), "total": n, "open": o} for k, label, n, o in rows]


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListKind.choices)
    school = serializers.UUIDField(
        required=False, allow_null=True, help_text="The school, for a school list."
    )
    file = serializers.FileField(help_text=".xlsx, or .csv in UTF-8 or GBK.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Check the file and report what the check would find; store nothing."
    )


class DryRunSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListKind.choices)
    rows = serializers.IntegerField()
    compared = serializers.IntegerField()
    matched = serializers.IntegerField()
    out_of_reach = serializers.IntegerField()
    grades = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Differences found, by kind.")
    new = serializers.IntegerField(help_text="Of those, how many no earlier run found.")
    unknown_columns = serializers.ListField(child=serializers.CharField())


class DifferenceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="work_item.title", default="", read_only=True)
    responsible = serializers.CharField(
        source="work_item.responsible.username", default="", read_only=True, help_text="Login name."
    )
    responsible_name = serializers.SerializerMethodField(
        help_text="The responsible person's full name; empty for none."
    )
    due_at = serializers.DateTimeField(
        source="work_item.due_at", default=None, read_only=True, allow_null=True
    )
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, allow_blank=True, read_only=True, help_text="Empty while open."
    )
    closed_by = serializers.CharField(
        source="closed_by.username", default="", read_only=True, help_text="Login name."
    )
    closed_by_name = serializers.SerializerMethodField(
        help_text="Who closed it: the full name; empty while open."
    )
    child = serializers.UUIDField(source="child_id", read_only=True, allow_null=True)
    # What the list said, in the language the client asks for (Accept-Language), the registry's by default.
    detail = serializers.CharField(source="detail_text", read_only=True)

    class Meta:
        model = Difference
        fields = [
            "id",
            "kind",
            "list_kind",
            "title",
            "child",
            "region_code",
            "detail",
            "name",
            "gender",
            "birth_date",
            "responsible",
            "responsible_name",
            "due_at",
            "created_at",
            "resolution",
            "reason",
            "closed_by",
            "closed_by_name",
            "closed_at",
        ]
        read_only_fields = fields

    def get_responsible_name(self, difference) -> str:
        return _name(difference.work_item.responsible) if difference.work_item_id else ""

    def get_closed_by_name(self, difference) -> str:
        return _name(difference.closed_by)


class CloseSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    reason = serializers.CharField(max_length=300, help_text="How it was verified and what was found.")


@extend_schema_view(
    list=extend_schema(
        summary="Cross-check runs of your territory", responses={200: RunSerializer(many=True)}
    ),
    retrieve=extend_schema(
        summary="A run, with its differences counted by kind", responses={200: RunSerializer, 404: NOT_FOUND}
    ),
)
class CrossCheckViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = CrossCheck.objects.none()  # for the schema; get_queryset scopes
    serializer_class = RunSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.runs_for(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        """A page of runs is counted in one query (``selectors.counts_by_run``), not one per run."""
        if kwargs.get("many") and args:
            runs = list(args[0])
            args = (runs, *args[1:])
            kwargs["context"] = {
                **self.get_serializer_context(),
                "counts": selectors.counts_by_run(user=self.request.user, runs=runs),
            }
        return super().get_serializer(*args, **kwargs)

    def retrieve(self, request, pk=None):
        run = selectors.get_run_for(request.user, pk)
        return Response(RunSerializer(run, context={"request": request}).data)

    @extend_schema(
        summary="Upload a school's or a 低保 list: a dry run, or the check",
        description="A list with problems answers 400 with every problem by row and column; nothing is "
        "stored. A dry run answers 200 with what the check would find. The check answers 201 with the "
        "run; each new difference becomes a work item for the village director (the township supervisor "
        "when no village is known). The same list again adds no difference.",
        request={"multipart/form-data": UploadSerializer},
        responses={
            200: DryRunSerializer,
            201: RunSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The list's problems, every one by row and column "
                '(`{"problems": [{"row": 3, "column": "年级", "message": "必填。"}]}`; row 0 is the file as '
                'a whole), or field errors (`{"school": ["…"]}`). Nothing is stored.',
            ),
            403: REFUSED,
        },
    )
    def create(self, request):
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        school = None
        if data.get("school"):
            school = Organisation.objects.filter(pk=data["school"], kind=OrganisationKind.SCHOOL).first()
            if school is None or school not in services.schools_for(request.user):
                raise serializers.ValidationError({"school": [_("找不到这所学校，或它不在您的管辖范围内。")]})
        outcome = call(
            services.crosscheck_run,
            actor=request.user,
            upload=data["file"],
            kind=data["kind"],
            school=school,
            commit=not data["dry_run"],
        )
        if not outcome.ok:
            problems = [{"row": p.row, "column": p.column, "message": p.message} for p in outcome.problems]
            return Response({"problems": problems}, status=status.HTTP_400_BAD_REQUEST)
        if outcome.run is None:
            log_access(request=request, action=Action.SEARCH, query=f"crosscheck dry run: {data['kind']}")
            return Response(
                DryRunSerializer(
                    {
                        "kind": outcome.kind,
                        "rows": outcome.rows,
                        "compared": outcome.compared,
                        "matched": outcome.matched,
                        "out_of_reach": outcome.out_of_reach,
                        "grades": outcome.grades,
                        "counts": dict(outcome.counts),
                        "new": outcome.new,
                        "unknown_columns": outcome.unknown_columns,
                    }
                ).data
            )
        log_access(request=request, action=Action.CREATE, query=f"crosscheck: {outcome.run.pk}")
        return Response(RunSerializer(outcome.run, context={"request": request}).data, status=201)


STATE = OpenApiParameter(
    "state", OpenApiTypes.STR, enum=["open", "closed", "all"], description="Default: all."
)
KIND = OpenApiParameter("kind", OpenApiTypes.STR, enum=DifferenceKind.values)
RUN = OpenApiParameter("run", OpenApiTypes.UUID, description="Only the differences this run found.")


@extend_schema_view(
    list=extend_schema(
        summary="Differences of your territory",
        parameters=[KIND, STATE, RUN],
        responses={200: DifferenceSerializer(many=True), 404: NOT_FOUND},
    ),
    retrieve=extend_schema(summary="A difference", responses={200: DifferenceSerializer, 404: NOT_FOUND}),
)
class DifferenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Difference.objects.none()  # for the schema; get_queryset scopes
    serializer_class = DifferenceSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        run = selectors.get_run_for(self.request.user, params["run"]) if params.get("run") else None
        kind = params.get("kind", "")
        state = params.get("state", "")
        return selectors.differences_for(
            user=self.request.user,
            run=run,
            kind=kind if kind in DifferenceKind.values else "",
            state=state if state in ("open", "closed") else "",
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        diff = selectors.get_difference_for(request.user, pk)
        log_access(request=request, action=Action.VIEW, child=diff.child)
        return Response(DifferenceSerializer(diff).data)

    @extend_schema(
        summary="Close a difference with what was found and why",
        description="The village director of the place, its supervisor or the county. The resolution "
        "must suit the kind (a possible drop-out: in school, transferred, dropped out and being brought "
        "back, file corrected; not registered: registered, not ours, list wrong; a category: corrected, "
        "list wrong, not applicable). Its work item is done.",
        request=CloseSerializer,
        responses={
            200: DifferenceSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        diff = selectors.get_difference_for(request.user, pk)
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.difference_close,
            actor=request.user,
            difference=diff,
            resolution=body.validated_data["resolution"],
            reason=body.validated_data["reason"],
        )
        log_access(request=request, action=Action.UPDATE, child=diff.child)
        return Response(DifferenceSerializer(selectors.get_difference_for(request.user, pk)).data)
