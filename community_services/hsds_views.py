"""The public, read-only Open Referral HSDS 3.0 feed at /hsds/. Only referable services.

A published directory tolerates a few seconds' lag: its searches read the replica when one is
configured (common.db_routing)."""

import datetime
import uuid

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from common.db_routing import replica_reads

from .hsds import (
    DELIVERY_MODE_TAXONOMY,
    HSDS_OPENAPI_URL,
    HSDS_PROFILE_URL,
    HSDS_VERSION,
    TAXONOMY_TERMS,
    TERMS_BY_ID,
    organization_list_document,
    page_document,
    service_document,
    service_list_document,
)
from .models import Provider, Service
from .selectors import DirectoryFilters, filter_services

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200


class BadParameter(ValueError):
    pass


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number") from None
    if value < 1:
        raise BadParameter(f"{name} must be 1 or more")
    return min(value, maximum) if maximum else value


def _paged(request, queryset, to_document) -> JsonResponse:
    try:
        page_number = _positive_int(request, "page", 1)
        size = _positive_int(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except BadParameter as exc:
        return _json({"detail": str(exc)}, status=400)
    total = len(queryset) if isinstance(queryset, list) else queryset.count()
    start = (page_number - 1) * size
    rows = list(queryset[start : start + size])
    return _json(
        page_document(
            contents=[to_document(row) for row in rows],
            total_items=total,
            page_number=page_number,
            size=size,
        )
    )


def _modified_after(raw: str) -> datetime.datetime:
    moment = parse_datetime(raw)
    if moment is None and (day := parse_date(raw)):
        moment = datetime.datetime.combine(day, datetime.time.min)
    if moment is None:
        raise BadParameter("modified_after must be an ISO 8601 date or datetime")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_GET
def root(request):
    return _json(
        {"version": HSDS_VERSION, "profile": HSDS_PROFILE_URL, "openapi_url": HSDS_OPENAPI_URL}
    )


@require_GET
@replica_reads()
def services(request):
    """search, taxonomy_term_id, organization_id and modified_after, combined with AND."""
    filters = DirectoryFilters(text=request.GET.get("search", ""))
    term_id = request.GET.get("taxonomy_term_id", "")
    if term_id:
        term = TERMS_BY_ID.get(term_id)
        if term is None:
            return _paged(request, [], service_list_document)
        if term.taxonomy == DELIVERY_MODE_TAXONOMY:
            filters = DirectoryFilters(text=filters.text, delivery_mode=term.code)
        else:
            filters = DirectoryFilters(text=filters.text, need_domain=term.code)
    queryset = filter_services(
        Service.objects.referable().select_related("provider").defer("search_vector"), filters
    )
    if organization_id := request.GET.get("organization_id", ""):
        try:
            queryset = queryset.filter(provider__public_id=uuid.UUID(organization_id))
        except ValueError:
            return _json({"detail": "organization_id must be a UUID"}, status=400)
    if raw := request.GET.get("modified_after", ""):
        try:
            queryset = queryset.filter(modified_at__gte=_modified_after(raw))
        except BadParameter as exc:
            return _json({"detail": str(exc)}, status=400)
    return _paged(request, queryset, service_list_document)


@require_GET
@replica_reads()
def service_detail(request, service_id: str):
    try:
        public_id = uuid.UUID(service_id)
    except ValueError:
        return _json({"detail": "No published service has this id."}, status=404)
    service = (
        Service.objects.referable()
        .select_related("provider")
        .prefetch_related("need_domains", "locations__opening_times")
        .filter(public_id=public_id)
        .first()
    )
    if service is None:
        return _json({"detail": "No published service has this id."}, status=404)
    return _json(service_document(service))


@require_GET
@replica_reads()
def organizations(request):
    queryset = Provider.objects.filter(
        pk__in=Service.objects.referable().values("provider_id")
    ).order_by("name", "pk")
    if search := request.GET.get("search", "").strip():
        queryset = queryset.filter(name__icontains=search)
    return _paged(request, queryset, organization_list_document)


@require_GET
def taxonomy_terms(request):
    terms = TAXONOMY_TERMS
    if search := request.GET.get("search", "").strip().lower():
        terms = [term for term in terms if search in term.name.lower()]
    return _paged(request, terms, lambda term: term.document())


app_name = "hsds"
urlpatterns = [
    path("", root, name="root"),
    path("services", services, name="services"),
    path("services/<str:service_id>", service_detail, name="service"),
    path("organizations", organizations, name="organizations"),
    path("taxonomy_terms", taxonomy_terms, name="taxonomy-terms"),
]
