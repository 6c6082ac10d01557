"""Reads of the directory as FHIR: only referable services (`Service.objects.referable()`, what a
referrer may refer to), their locations and the organisations that run them, through the same
published-directory queries as the HSDS feed."""

import uuid
from dataclasses import dataclass

from django.db.models import Min, Prefetch, QuerySet
from django.http import Http404

from community_services.geography import bounding_box, haversine_expression
from community_services.hsds.selectors import (
    Near,
    ServiceQuery,
    published_organizations,
    published_service_at_locations,
    published_services,
)
from community_services.models import Location, Provider, Service


@dataclass(frozen=True)
class DirectorySearch:
    name: str = ""
    need_domains: tuple[str, ...] = ()
    near: Near | None = None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _with_resource_data(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.prefetch_related(
        "need_domains",
        Prefetch("locations", queryset=Location.objects.only("public_id", "service_id")),
    )


def referable_services(search: DirectorySearch) -> QuerySet[Service]:
    """By name (contains, any case), need domains (any of them), and within a distance of a
    point (nearest location first); otherwise in name order, the index's."""
    services = published_services(ServiceQuery())
    if name := search.name.replace("\x00", "").strip():
        services = services.filter(name__icontains=name)
    if search.need_domains:
        services = services.filter(need_domains__domain__in=search.need_domains).distinct()
    near = search.near
    if near is None:
        return _with_resource_data(services.order_by("name", "pk"))
    services = services.filter(
        locations__latitude__isnull=False, locations__longitude__isnull=False
    )
    if near.metres is not None:
        south, north, west, east = bounding_box(near.latitude, near.longitude, near.metres)
        services = services.filter(
            locations__latitude__range=(south, north), locations__longitude__range=(west, east)
        )
    services = services.annotate(
        distance=Min(
            haversine_expression(
                "locations__latitude", "locations__longitude", near.latitude, near.longitude
            )
        )
    )
    if near.metres is not None:
        services = services.filter(distance__lte=near.metres)
    return _with_resource_data(services.order_by("distance", "name", "pk"))


def get_referable_service(public_id: str) -> Service:
    key = _uuid(public_id)
    service = (
        _with_resource_data(published_services(ServiceQuery())).filter(public_id=key).first()
        if key
        else None
    )
    if service is None:
        raise Http404("No such HealthcareService in the directory.")
    return service


def referable_locations(search: DirectorySearch) -> QuerySet[Location]:
    """Each referable service's locations, filtered as services are; nearest first near a point."""
    locations = published_service_at_locations(ServiceQuery(), near=search.near)
    if name := search.name.replace("\x00", "").strip():
        locations = locations.filter(name__icontains=name)
    if search.need_domains:
        locations = locations.filter(
            service__need_domains__domain__in=search.need_domains
        ).distinct()
    return locations


def get_referable_location(public_id: str) -> Location:
    key = _uuid(public_id)
    location = (
        published_service_at_locations(ServiceQuery()).filter(public_id=key).first()
        if key
        else None
    )
    if location is None:
        raise Http404("No such Location in the directory.")
    return location


def directory_organisations(*, name: str = "") -> QuerySet[Provider]:
    """The organisations that run at least one referable service."""
    return published_organizations(search=name)


def get_directory_organisation(public_id: str) -> Provider | None:
    key = _uuid(public_id)
    return directory_organisations().filter(public_id=key).first() if key else None
