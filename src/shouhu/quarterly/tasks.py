"""The background job of quarterly reports: it calls the service, nothing more (Celery with Redis in
production; inline when no broker is configured). ``attempt`` is the generation's attempt the message
was sent for: a message the watchdog replaced does nothing."""

from celery import shared_task

from . import services


@shared_task(name="shouhu.quarterly.tasks.generate_report")
def generate_report(report_id: str, attempt: int | None = None) -> str:
    report = services.report_generate(report_id=report_id, attempt=attempt)
    return report.job_status if report is not None else "missing"
