"""Who sees alerts, cases and mandatory reports."""

from django.db.models import Q

from shouhu.accounts import access

from .models import Alert, Case, Report


class ReportPolicy(access.Policy):
    """Mandatory reports: those of the user's territory (the township triages them) and those the user
    filed (a reporter sees the status, which grants nothing about the child)."""

    def rule(self, user, code):
        mine = Q(reporter_id=user.pk)
        if not code:
            return mine
        return Q(township__code__within=code) | Q(village__code__within=code) | mine


# Alerts and cases are the territory's work: a grant (a mentor's pairing) does not open them.
alerts = access.register(Alert, access.TerritoryPolicy())
cases = access.register(Case, access.TerritoryPolicy())
reports = access.register(Report, ReportPolicy())
