"""Reads of the /hsds/ feed. Only referable services are published (`Service.objects.referable()`),
and with them only their providers and locations."""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..geography import bounding_box, haversine_expression
from ..models import DELIVERY_MODE_FIELDS, Location, Provider, Service, ServiceNeedDomain
from ..selectors import DirectoryFilters, filter_services
from .taxonomy import (
    DELIVERY_MODE_TAXONOMY,
    NEED_DOMAIN_TAXONOMY,
    TAXONOMIES,
    TAXONOMIES_BY_ID,
    TERMS_BY_ID,
)

FULL_SERVICE_PREFETCH = ("need_domains", "schedules", "locations__opening_times")


@dataclass(frozen=True)
class ServiceQuery:
    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime.datetime | None = None


def _published() -> QuerySet[Service]:
    return Service.objects.referable().select_related("provider").defer("search_vector")


def published_services(
    query: ServiceQuery, *, full: bool = False, minimal: bool = False
) -> QuerySet[Service]:
    """The filters combine with AND; an unknown term, taxonomy or organization matches none."""
    filters = DirectoryFilters(text=query.search)
    services = _published()
    if minimal:
        services = services.select_related(None).only("public_id", "name", "modified_at")
    if query.taxonomy_term_id is not None:
        term = TERMS_BY_ID.get(str(query.taxonomy_term_id))
        if term is None:
            return services.none()
        if term.taxonomy == DELIVERY_MODE_TAXONOMY:
            filters = DirectoryFilters(text=query.search, delivery_mode=term.code)
        else:
            filters = DirectoryFilters(text=query.search, need_domain=term.code)
    if query.taxonomy_id is not None:
        taxonomy = TAXONOMIES_BY_ID.get(str(query.taxonomy_id))
        if taxonomy is None:
            return services.none()
        services = services.filter(_in_taxonomy(taxonomy.id))
    if query.organization_id is not None:
        services = services.filter(provider__public_id=query.organization_id)
    if query.modified_after is not None:
        services = services.filter(modified_at__gte=query.modified_after)
    services = filter_services(services, filters)
    return services.prefetch_related(*FULL_SERVICE_PREFETCH) if full else services


def _in_taxonomy(taxonomy_id: str) -> Q:
    """Every published service has a need domain; a delivery mode is one of four flags."""
    if taxonomy_id == TAXONOMIES[NEED_DOMAIN_TAXONOMY].id:
        return Q(Exists(ServiceNeedDomain.objects.filter(service=OuterRef("pk"))))
    any_mode = Q()
    for field in DELIVERY_MODE_FIELDS.values():
        any_mode |= Q(**{field: True})
    return any_mode


def published_service(public_id: uuid.UUID) -> Service | None:
    return _published().prefetch_related(*FULL_SERVICE_PREFETCH).filter(public_id=public_id).first()


def published_organizations(*, search: str = "") -> QuerySet[Provider]:
    providers = Provider.objects.filter(
        pk__in=Service.objects.referable().values("provider_id")
    ).order_by("name", "pk")
    if search := search.replace("\x00", "").strip():
        providers = providers.filter(name__icontains=search)
    return providers


def published_organization(public_id: uuid.UUID) -> Provider | None:
    return published_organizations().filter(public_id=public_id).first()


def services_of(providers: list[Provider], *, full: bool) -> dict[int, list[Service]]:
    """The published services of each provider, in one query (plus the prefetches when full)."""
    services = _published().filter(provider__in=providers).order_by("name", "pk")
    if full:
        services = services.prefetch_related(*FULL_SERVICE_PREFETCH)
    by_provider: dict[int, list[Service]] = {provider.pk: [] for provider in providers}
    for service in services:
        by_provider[service.provider_id].append(service)
    return by_provider


@dataclass(frozen=True)
class Near:
    """Within `metres` (or anywhere, when None) of a point, nearest first."""

    latitude: float
    longitude: float
    metres: float | None


def published_service_at_locations(
    query: ServiceQuery, *, near: Near | None = None, full: bool = False
) -> QuerySet[Location]:
    """Each published service at each of its locations, filtered as services are; by distance
    from a point when `near` is given (locations without coordinates are then left out)."""
    services = published_services(query)
    locations = (
        Location.objects.filter(service__in=services.values("pk"))
        .select_related("service__provider")
        .defer("service__search_vector")
    )
    locations = locations.prefetch_related("opening_times")
    if full:
        locations = locations.prefetch_related(
            *(f"service__{lookup}" for lookup in FULL_SERVICE_PREFETCH)
        )
    if near is None:
        return locations.order_by("service__name", "service_id", "id")
    locations = locations.filter(latitude__isnull=False, longitude__isnull=False)
    if near.metres is not None:
        south, north, west, east = bounding_box(near.latitude, near.longitude, near.metres)
        locations = locations.filter(latitude__range=(south, north), longitude__range=(west, east))
    locations = locations.annotate(
        distance=haversine_expression("latitude", "longitude", near.latitude, near.longitude)
    )
    if near.metres is not None:
        locations = locations.filter(distance__lte=near.metres)
    return locations.order_by("distance", "id")


def published_service_at_location(service_at_location_id: uuid.UUID) -> Location | None:
    return (
        published_service_at_locations(ServiceQuery(), full=True)
        .filter(service_at_location_id=service_at_location_id)
        .first()
    )
