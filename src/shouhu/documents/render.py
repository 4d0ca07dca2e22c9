"""HTML templates to PDF with WeasyPrint, in the interface language, with a Chinese font that ships with
Debian (fonts-wqy-microhei): nothing is fetched while rendering."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

FONT = "WenQuanYi Micro Hei"
# Font subsetting reports every table it touches at INFO: not news for the application's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def pdf_bytes(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font": FONT})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"documents are rendered without fetching resources ({url})")


def pdf_response(template: str, context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(pdf_bytes(template, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response
