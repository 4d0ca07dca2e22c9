"""The background job of quarterly reports: it calls the service, nothing more (Celery with Redis in
production; inline when no broker is configured)."""

from celery import shared_task

from . import services


@shared_task(name="shouhu.quarterly.tasks.generate_report")
def generate_report(report_id: str) -> str:
    report = services.report_generate(report_id=report_id)
    return report.job_status if report is not None else "missing"
