"""The pages of every list in the API: ``?page=`` is a whole number from 1.

A value that is not one (``page=0``, ``page=abc``) is a bad request answered 400 naming ``page``;
a page past the end of the list is 404, as DRF answers it (the schema documents both: ``schema.py``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import pagination, serializers


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise serializers.ValidationError(
                {
                    self.page_query_param: [
                        _("页码应为从 1 开始的整数，收到的是 %(value)s。") % {"value": str(raw)[:20]}
                    ]
                }
            )
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    "The page, from 1. Not a whole number from 1: 400; past the end of the list: 404."
                )
        return parameters
