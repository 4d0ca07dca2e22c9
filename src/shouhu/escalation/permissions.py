"""Who sees which work items."""

from django.db.models import Q

from shouhu.accounts import access

from .models import WorkItem


class WorkItemPolicy(access.Policy):
    """Work items (due visits, alerts, tasks) of the user's territory, and those the user answers for."""

    def rule(self, user, code):
        mine = Q(responsible_id=user.pk)
        return Q(region_code__within=code) | mine if code else mine


work_items = access.register(WorkItem, WorkItemPolicy())
