"""Paging a ranked search: the page and the total from one query.

Django's Paginator counts first (SELECT COUNT(*)) and then reads the page. A ranked full-text
search has to find and sort every match for either, so the count is the search done twice.
Here the page query carries the total as a window (COUNT(*) OVER (), computed before the LIMIT).
Only worth it where the ORDER BY already touches every match: a list read in index order (the
triage queue, the caseload) stops after one page, and should keep the cheap separate count.
"""

from typing import TYPE_CHECKING, Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

_TOTAL = "paginator_total"


if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class CountingPaginator(_Paginator):
    def page(self, number: Any) -> Page[Any]:
        if (
            not isinstance(self.object_list, QuerySet)
            or self.object_list.query.combinator
            or self.orphans
            or "count" in self.__dict__
        ):
            return super().page(number)
        number = self._integer_page(number)
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(**{_TOTAL: Window(Count("*"))})[
                bottom : bottom + self.per_page
            ]
        )
        if not rows:  # past the end, or nothing matches: the plain count decides which
            return super().page(number)
        self.__dict__["count"] = getattr(rows[0], _TOTAL)  # Paginator.count is cached
        # Paginator._get_page is Django's own hook, which django-stubs leaves out.
        return self._get_page(rows, number, self)  # type: ignore[attr-defined, no-any-return]

    def _integer_page(self, number: Any) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            page_number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if page_number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return page_number


class CountingPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination over CountingPaginator, for ranked search endpoints."""

    django_paginator_class = CountingPaginator
