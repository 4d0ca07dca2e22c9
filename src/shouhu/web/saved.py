"""What a save set in motion, in words for the message shown after it: the alert raised, what is due
within 24 hours, who was told. The facts are read by ``visits.selectors.save_consequences``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shouhu.visits.selectors import Consequences


def what_it_caused(caused: Consequences) -> list[str]:
    """The save's consequences in words: the alert raised, what is due within 24 hours, who was told."""
    from shouhu.cases import rules

    texts = []
    severity = dict(rules.SEVERITIES)
    for alert in caused.alerts:
        kind = rules.KINDS.get(alert.rule)
        texts.append(
            _("已发出%(severity)s预警：%(rule)s。")
            % {
                "severity": severity.get(alert.severity, alert.severity),
                "rule": kind.name if kind else alert.rule,
            }
        )
    if caused.due_soon:
        due = pgettext("list separator", "、").join(
            _("%(title)s（截止 %(due)s）")
            % {"title": item.title, "due": timezone.localtime(item.due_at).strftime("%m-%d %H:%M")}
            for item in caused.due_soon
        )
        texts.append(_("24 小时内须完成：%(items)s。") % {"items": due})
    if caused.told:
        people = pgettext("list separator", "、").join(
            _("%(name)s（%(role)s）") % {"name": str(u), "role": u.get_role_display()} for u in caused.told
        )
        texts.append(_("已通知：%(people)s。") % {"people": people})
    elif caused.alerts:
        texts.append(_("预警已记入您的工作，逾期未处置将上报乡镇。"))
    return texts
