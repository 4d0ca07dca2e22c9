"""Serializers of the import API (``imports.api``)."""

from __future__ import annotations

from rest_framework import serializers

from shouhu.imports.models import ImportJob, JobStatus


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=".xlsx, or .csv in UTF-8 or GBK: the import template or the "
        "national basic-situation register (农村留守儿童基本情况登记表) as counties fill it."
    )


class ImportJobSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    running = serializers.BooleanField(read_only=True)
    retryable = serializers.BooleanField(read_only=True)
    error_sheet = serializers.SerializerMethodField(
        help_text="Whether the rows with problems can be downloaded as a sheet to fix (`error-sheet/`)."
    )
    problems_total = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "file_name",
            "size",
            "status",
            "label",
            "running",
            "retryable",
            "rows_total",
            "rows_done",
            "rows_rejected",
            "progress",
            "counts",
            "problems_total",
            "truncated",
            "confirm",
            "unknown_columns",
            "valid_only",
            "error_sheet",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_label(self, job) -> str:
        return str(JobStatus(job.status).label)

    def get_error_sheet(self, job) -> bool:
        return bool(job.rejected_name)

    def get_problems_total(self, job) -> int:
        return len(job.problems)


class ProblemSerializer(serializers.Serializer):
    column = serializers.CharField(help_text="The sheet's own column header (empty: the row as a whole).")
    message = serializers.CharField()


class ProblemRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number as the spreadsheet shows it (0: the file).")
    errors = ProblemSerializer(many=True)


class ProblemPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows with problems listed on the job.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ProblemRowSerializer(many=True)


class CommitSerializer(serializers.Serializer):
    valid_only = serializers.BooleanField(
        default=False,
        help_text="Import the rows without problems and leave the others (they stay in the error sheet). "
        "Default false: all or nothing; a sheet with rows that have problems is then refused (409).",
    )
    confirm = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        default=list,
        help_text="Row numbers whose match by name, birth date and village (no ID number) you confirm.",
    )
