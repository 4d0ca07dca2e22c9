"""Shapes of the find-and-intervene API: the county's rule settings, alerts, mandatory reports and
cases. Reading shapes only; every change is made by ``cases.services`` and ``cases.reports``, whose
field errors ``service_errors`` turns into DRF's (``params.max_age`` → ``{"params": {"max_age": […]}}``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.accounts.models import Role
from shouhu.cases import rules
from shouhu.cases import services as case_services
from shouhu.cases.models import Alert, Case, CaseEvent, CaseStatus, Report, Urgency
from shouhu.escalation import actions
from shouhu.escalation.api_serializers import ActionSerializer
from shouhu.escalation.models import Tier, WorkItem

# --- rule settings --------------------------------------------------------------------------------


class RuleBoundSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("参数"))
    label = serializers.CharField(label=_("参数"))
    minimum = serializers.IntegerField()
    maximum = serializers.IntegerField()


class RuleSettingSerializer(serializers.Serializer):
    """One rule as the county has set it: what it reads and asks for (fixed), and what the county may
    change (enabled, severity, deadline, parameters within their bounds, who is notified)."""

    code = serializers.CharField(source="setting.code", label=_("规则"))
    county = serializers.CharField(source="setting.county_id", label=_("县（区）代码"))
    name = serializers.CharField(source="kind.name", label=_("规则"))
    reads = serializers.CharField(source="kind.reads")
    response = serializers.CharField(source="kind.response", label=_("处置要求"))
    enabled = serializers.BooleanField(source="setting.enabled", label=_("启用"))
    severity = serializers.ChoiceField(
        source="setting.severity", choices=rules.SEVERITIES, label=_("风险等级")
    )
    deadline_hours = serializers.IntegerField(source="setting.deadline_hours", label=_("处置时限（小时）"))
    params = serializers.DictField(source="setting.params", child=serializers.IntegerField(), label=_("参数"))
    bounds = RuleBoundSerializer(source="kind.bounds", many=True)
    notify = serializers.ListField(source="setting.notify", child=serializers.CharField())
    updated_at = serializers.DateTimeField(source="setting.updated_at", label=_("时间"))


class RuleUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False, label=_("启用"))
    severity = serializers.ChoiceField(choices=rules.SEVERITIES, required=False, label=_("风险等级"))
    deadline_hours = serializers.IntegerField(
        required=False, label=_("处置时限（小时）"), help_text="From 1 hour to 90 days (2160 hours)."
    )
    params = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        label=_("参数"),
        help_text="Only the parameters to change; each within the rule's `bounds`.",
    )
    notify = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False)


# --- alerts ---------------------------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    """A risk alert: one open situation of one rule for one child, with its deadline and tier."""

    child = serializers.UUIDField(source="child_id", read_only=True, label=_("儿童"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("儿童姓名"))
    region = serializers.CharField(source="region_code", read_only=True, label=_("区划代码"))
    rule_name = serializers.SerializerMethodField(label=_("规则"))
    close_reason = serializers.CharField(source="close_reason_text", read_only=True, label=_("解除原因"))
    deadline = serializers.DateTimeField(
        source="work_item.due_at", read_only=True, allow_null=True, label=_("处置时限")
    )
    tier = serializers.ChoiceField(
        source="work_item.tier",
        choices=Tier.choices,
        read_only=True,
        allow_null=True,
    )
    facts = serializers.DictField(read_only=True, label=_("触发事实"))
    response = serializers.SerializerMethodField(label=_("处置要求"))
    action = serializers.SerializerMethodField(label=_("办理"))

    class Meta:
        model = Alert
        fields = [
            "id",
            "version",
            "child",
            "child_name",
            "region",
            "rule",
            "rule_name",
            "severity",
            "status",
            "opened_at",
            "deadline",
            "tier",
            "police_informed_at",
            "notice_sent_at",
            "school_notified_at",
            "guardian_urged_at",
            "closed_at",
            "close_reason",
            "facts",
            "response",
            "action",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer)
    def get_action(self, alert: Alert) -> dict:
        """Where the alert is acted on and what closes it, as the alert list says (``escalation.actions``)."""
        return actions.alert_action(alert, self_closing=alert.severity in rules.SELF_CLOSING).as_dict()

    def get_rule_name(self, alert: Alert) -> str:
        kind = rules.KINDS.get(alert.rule)
        return str(kind.name) if kind else alert.rule

    def get_response(self, alert: Alert) -> str:
        kind = rules.KINDS.get(alert.rule)
        return str(kind.response) if kind else ""


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("原因"), max_length=300, allow_blank=True)


class AlertMarkSerializer(serializers.Serializer):
    police_informed = serializers.BooleanField(default=False, label=_("已报告公安机关"))
    notice_sent = serializers.BooleanField(default=False, label=_("已发出督促监护告知书"))
    school_notified = serializers.BooleanField(default=False, label=_("已通知学校和教育部门"))
    guardian_urged = serializers.BooleanField(default=False, label=_("已督促监护人"))


# --- reports --------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    """A mandatory report. ``child`` (the registered child it was linked to) is shown only to those
    who work the report's place; the reporter from elsewhere sees the report and its status."""

    harm_type_name = serializers.CharField(source="harm_type.name", read_only=True, label=_("情形"))
    township = serializers.CharField(source="township_id", read_only=True, label=_("所在乡镇"))
    village = serializers.CharField(
        source="village_id", read_only=True, allow_null=True, label=_("所在村/社区")
    )
    reporter = serializers.UUIDField(source="reporter_id", read_only=True, label=_("报告人"))
    child = serializers.SerializerMethodField(label=_("关联儿童"))
    linked = serializers.SerializerMethodField(label=_("已关联儿童"))

    class Meta:
        model = Report
        fields = [
            "id",
            "reference",
            "harm_type",
            "harm_type_name",
            "description",
            "seen_at",
            "urgency",
            "township",
            "village",
            "child_name",
            "child_birth_date",
            "child_id_number",
            "reporter",
            "status",
            "linked",
            "child",
            "closed_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_linked(self, report: Report) -> bool:
        return report.child_id is not None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_child(self, report: Report):
        triages = self.context.get("triages")
        return report.child_id if triages and triages(report) else None


class ReportFileSerializer(serializers.Serializer):
    harm_type = serializers.CharField(
        label=_("情形"), help_text="The code of the situation reported, e.g. `abandoned`."
    )
    description = serializers.CharField(label=_("所见情况"), max_length=4000)
    seen_at = serializers.DateTimeField(label=_("发现时间"), required=False, allow_null=True, default=None)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.SOON, label=_("紧急程度"))
    township = serializers.CharField(label=_("所在乡镇"), max_length=9)
    village = serializers.CharField(
        label=_("所在村/社区"), max_length=12, required=False, allow_blank=True, default=""
    )
    child_name = serializers.CharField(
        label=_("儿童姓名"), max_length=50, required=False, allow_blank=True, default=""
    )
    child_birth_date = serializers.DateField(
        label=_("儿童出生日期"), required=False, allow_null=True, default=None
    )
    child_id_number = serializers.CharField(
        label=_("儿童身份证号码"), max_length=18, required=False, allow_blank=True, default=""
    )


class ReportLinkSerializer(serializers.Serializer):
    child = serializers.UUIDField(label=_("儿童"), help_text="The id of a registered child you may see.")


class ReportCaseSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=rules.SEVERITIES, default=rules.HIGH, label=_("风险等级"))
    parties = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, label=_("参与方")
    )


# --- cases ----------------------------------------------------------------------------------------


class CaseEventSerializer(serializers.ModelSerializer):
    """A step on the child's timeline. ``status`` is the case status the step reached (a code of the
    case's ``status``), ``status_name`` its name."""

    by = serializers.UUIDField(source="by_id", read_only=True, allow_null=True)
    by_name = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True, label=_("状态"))
    # The system's words in the language the client asks for; a person's note as typed.
    text = serializers.CharField(source="words", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "by", "by_name", "status", "status_name", "text"]
        read_only_fields = fields

    def get_by_name(self, event: CaseEvent) -> str | None:
        return str(event.by) if event.by_id else None


class CaseTaskSerializer(serializers.ModelSerializer):
    """A measure of the case's plan with a responsible person and a deadline; missed, it climbs the
    tiers (``tier``: 0 village, 1 township, 2 county, 3 civil-affairs bureau)."""

    responsible = serializers.UUIDField(source="responsible_id", read_only=True, allow_null=True)
    responsible_name = serializers.SerializerMethodField(label=_("责任人姓名"))
    title = serializers.CharField(source="text", read_only=True, label=_("事项"))
    # Why the system cancelled it, in the same language; a person's note as typed.
    note = serializers.CharField(source="note_text", read_only=True, label=_("说明"))
    action = serializers.SerializerMethodField(label=_("办理"))

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "title",
            "responsible",
            "responsible_name",
            "due_at",
            "status",
            "tier",
            "done_at",
            "note",
            "action",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer)
    def get_action(self, item: WorkItem) -> dict:
        """Where the task is done and what clears it, as the case page says (``escalation.actions``)."""
        return actions.item_action(item).as_dict()

    def get_responsible_name(self, item: WorkItem) -> str | None:
        return str(item.responsible) if item.responsible_id else None


class CaseTaskNewSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("任务"), max_length=150, allow_blank=True)
    due_on = serializers.DateField(label=_("完成期限"))
    responsible = serializers.UUIDField(
        label=_("责任人"),
        required=False,
        allow_null=True,
        default=None,
        help_text="A worker whose territory holds the child; yourself when left out.",
    )


class CaseTaskDoneSerializer(serializers.Serializer):
    task = serializers.UUIDField(label=_("任务"))
    note = serializers.CharField(
        label=_("说明"), required=False, allow_blank=True, default="", max_length=300
    )


class CaseSerializer(serializers.ModelSerializer):
    """A case (个案) with its assessment, plan, tasks, outcome and timeline."""

    child = serializers.UUIDField(source="child_id", read_only=True, label=_("儿童"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("儿童姓名"))
    region = serializers.CharField(source="region_code", read_only=True, label=_("区划代码"))
    # Named as alerts and rules name it: one word for one scale across this API.
    severity = serializers.ChoiceField(
        source="risk_level", choices=rules.SEVERITIES, read_only=True, label=_("风险等级")
    )
    alert = serializers.UUIDField(source="alert_id", read_only=True, allow_null=True, label=_("预警"))
    report = serializers.UUIDField(source="report_id", read_only=True, allow_null=True, label=_("强制报告"))
    opened_by = serializers.UUIDField(source="opened_by_id", read_only=True, allow_null=True, label=_("立案"))
    close_requested_by = serializers.UUIDField(
        source="close_requested_by_id", read_only=True, allow_null=True
    )
    closed_by = serializers.UUIDField(source="closed_by_id", read_only=True, allow_null=True, label=_("结案"))
    events = CaseEventSerializer(many=True, read_only=True, label=_("个案进程"))
    tasks = serializers.SerializerMethodField(label=_("任务"))

    class Meta:
        model = Case
        fields = [
            "id",
            "version",
            "child",
            "child_name",
            "region",
            "source",
            "alert",
            "report",
            "status",
            "severity",
            "parties",
            "opened_by",
            "opened_at",
            "close_requested_by",
            "closed_by",
            "closed_at",
            "assessment",
            "plan",
            "outcome",
            "tasks",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseTaskSerializer(many=True))
    def get_tasks(self, case: Case) -> list[dict]:
        prefetched = getattr(case.child, "case_task_items", None)  # the list's one query for all cases
        if prefetched is None:
            tasks = case_services.case_tasks(case).select_related("responsible")
        else:
            tasks = [t for t in prefetched if t.key.startswith(f"case-task:{case.pk}:")]
        return CaseTaskSerializer(tasks, many=True).data


class CaseStepSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[c for c in CaseStatus.choices if c[0] not in (CaseStatus.OPENED, CaseStatus.CLOSED)],
        label=_("下一步"),
        help_text="opened → assessed → planned → in_service → reviewed → close_requested; "
        "medium and low cases close on the request.",
    )
    text = serializers.CharField(
        label=_("说明"),
        required=False,
        allow_blank=True,
        default="",
        help_text="The outcome, when asking to close.",
    )
    assessment = serializers.DictField(
        required=False,
        allow_null=True,
        default=None,
        label=_("评估"),
        help_text="Required to reach `assessed`: one entry per need: "
        "safety, guardianship, health, education, psychology, livelihood.",
    )
    plan = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, default=None, label=_("服务计划")
    )
