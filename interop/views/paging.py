"""Search pages every FHIR search shares: `_count` (at most FHIR_PAGE_SIZE), strict handling of
unknown parameters, and the Bundle's `next` link. The directory and the casework searches page by
number over CountingPaginator (the total from the page's own query), the Task search by cursor."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Page

from common.pagination import CountingPaginator

from ..outcome import FhirError


def count_of(request) -> int:
    raw = request.GET.get("_count", "")
    if not raw:
        return settings.FHIR_PAGE_SIZE
    if not raw.isdigit() or int(raw) < 1:
        raise FhirError.one(400, "_count must be a positive whole number.", "_count")
    return min(int(raw), settings.FHIR_PAGE_SIZE)


def check_parameters(request, known: set[str]) -> None:
    """With `Prefer: handling=strict`, a parameter we do not support is a 400 naming it."""
    if "handling=strict" not in request.headers.get("Prefer", ""):
        return
    for parameter in request.GET:
        if parameter not in known:
            raise FhirError.one(400, f"This search has no parameter {parameter!r}.", parameter)


def page_of(request, rows) -> Page:
    """`_page` (from 1) of `rows` at `_count` a page; past the end is an empty page."""
    raw = request.GET.get("_page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise FhirError.one(400, "_page must be a whole number from 1.", "_page")
    paginator = CountingPaginator(rows, count_of(request))
    try:
        return paginator.page(int(raw))
    except EmptyPage:
        return Page([], int(raw), paginator)


def next_page_url(request, page: Page, path: str, known: set[str]) -> str | None:
    if not page.has_next():
        return None
    query = {k: v for k, v in request.GET.lists() if k in known and k != "_page"}
    query["_page"] = [str(page.number + 1)]
    return f"{request.build_absolute_uri(path)}?{urlencode(query, doseq=True)}"
