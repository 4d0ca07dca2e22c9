from celery import shared_task

from . import delivery


@shared_task(name="shouhu.escalation.tasks.deliver_notifications", ignore_result=True)
def deliver_notifications() -> dict:
    """Send what the notification outbox holds that is due (after a commit, and every minute)."""
    return delivery.deliver()


@shared_task(name="shouhu.escalation.tasks.daily_digest", ignore_result=True)
def daily_digest() -> int:
    """Each morning: the county's and the bureau's summary of the day (``digest.send_daily``)."""
    from . import digest

    return digest.send_daily()
