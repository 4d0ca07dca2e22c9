from django.db.models.signals import post_save
from django.dispatch import receiver

from shouhu.cases.models import Case, CaseSource

from . import services

OPENS_REVIEW = {"parents_unable"}


@receiver(post_save, sender=Case, dispatch_uid="assistance_review_on_case")
def review_eligibility_on_case(sender, *, instance: Case, created: bool, raw: bool = False, **kwargs):
    """A case the rules opened because the parents cannot guard opens an eligibility review."""
    if not created or raw or instance.source != CaseSource.RULE or not instance.alert_id:
        return
    if instance.alert.rule in OPENS_REVIEW:
        services.eligibility_review_open(child=instance.child, case=instance)
