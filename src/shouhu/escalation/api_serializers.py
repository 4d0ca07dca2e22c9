"""The shape of the escalation API's resources: work items (with where the work is done and what
clears it, ``escalation.actions``) and notifications."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.escalation import actions
from shouhu.escalation.models import Notification, WorkItem


class ActionSerializer(serializers.Serializer):
    """Where the work is done and what clears it (``escalation.actions``): ``url`` is the page of the
    web application (a path), null when there is none."""

    url = serializers.CharField(allow_null=True, label=_("办理页面"))
    label = serializers.CharField(label=_("操作"))
    clears = serializers.CharField(label=_("如何办结"))


class WorkItemSerializer(serializers.ModelSerializer):
    """A piece of work with a deadline: a due visit, a children's home's missing session, an alert."""

    child = serializers.UUIDField(source="child_id", read_only=True, allow_null=True, label=_("儿童"))
    child_name = serializers.SerializerMethodField(label=_("儿童姓名"))
    region = serializers.CharField(source="region_code", read_only=True, label=_("区划代码"))
    region_name = serializers.SerializerMethodField(label=_("区划名称"))
    responsible = serializers.UUIDField(
        source="responsible_id", read_only=True, allow_null=True, label=_("责任人")
    )
    responsible_name = serializers.SerializerMethodField(label=_("责任人姓名"))
    # In the language the client asks for (Accept-Language), the registry's by default.
    title = serializers.CharField(source="text", read_only=True, label=_("事项"))
    # Why the system cancelled it, in the same language; a person's note as typed.
    note = serializers.CharField(source="note_text", read_only=True, label=_("说明"))
    overdue = serializers.SerializerMethodField(label=_("已逾期"))
    days_overdue = serializers.SerializerMethodField(label=_("逾期天数"))
    action = serializers.SerializerMethodField(label=_("办理"))

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "kind",
            "title",
            "child",
            "child_name",
            "region",
            "region_name",
            "responsible",
            "responsible_name",
            "period_start",
            "period_end",
            "due_at",
            "township_at",
            "county_at",
            "tier",
            "status",
            "overdue",
            "days_overdue",
            "done_at",
            "note",
            "action",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer)
    def get_action(self, item: WorkItem) -> dict:
        return actions.item_action(item).as_dict()

    def _now(self):
        return self.context.setdefault("now", timezone.now())

    def get_child_name(self, item: WorkItem) -> str | None:
        return item.child.name if item.child_id else None

    def get_region_name(self, item: WorkItem) -> str | None:
        names = self.context.get("region_names")
        if names is None:
            from shouhu.regions.models import Region

            names = dict(Region.objects.filter(code=item.region_code).values_list("code", "name"))
        return names.get(item.region_code)

    def get_responsible_name(self, item: WorkItem) -> str | None:
        return str(item.responsible) if item.responsible_id else None

    def get_overdue(self, item: WorkItem) -> bool:
        return item.is_overdue(self._now())

    def get_days_overdue(self, item: WorkItem) -> int:
        """Whole days past the deadline; 0 when not overdue."""
        return (self._now() - item.due_at).days if item.is_overdue(self._now()) else 0


class ReassignSerializer(serializers.Serializer):
    responsible = serializers.UUIDField(
        label=_("新责任人"), help_text=_("本乡镇的儿童主任或督导员的用户 id。")
    )


class NotificationSerializer(serializers.ModelSerializer):
    item = serializers.UUIDField(source="item_id", read_only=True, allow_null=True, label=_("督办事项"))
    child = serializers.UUIDField(source="item.child_id", read_only=True, allow_null=True, label=_("儿童"))
    read = serializers.SerializerMethodField(label=_("已读"))
    action = serializers.SerializerMethodField(label=_("办理"))
    message = serializers.CharField(source="text", read_only=True, label=_("内容"))

    class Meta:
        model = Notification
        fields = ["id", "message", "tier", "item", "child", "created_at", "read_at", "read", "action"]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer)
    def get_action(self, note: Notification) -> dict:
        return actions.notice_action(note).as_dict()

    def get_read(self, note: Notification) -> bool:
        return note.read_at is not None
