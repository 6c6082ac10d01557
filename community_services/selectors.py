"""Reads of the directory: search for coordinators, queues for vetters."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import user_has_role

from .geography import BadPostcode, bounding_box, haversine_expression, normalise_postcode
from .models import (
    DELIVERY_MODE_FIELDS,
    Capacity,
    DeliveryMode,
    Location,
    Postcode,
    Service,
    ServiceSchedule,
    ServiceStatus,
)

EXPIRING_SOON_DAYS = 30
# Parts of the day a session may fall in (a session counts if it overlaps the part).
NOON, EVENING = datetime.time(12), datetime.time(17)
TIMES_OF_DAY = {
    "morning": Q(opens_at__lt=NOON),
    "afternoon": Q(opens_at__lt=EVENING, closes_at__gt=NOON),
    "evening": Q(closes_at__gt=EVENING),
}


@dataclass(frozen=True)
class Nearby:
    """Within `metres` of a postcode's centre."""

    latitude: float
    longitude: float
    metres: float


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    need_domain: str = ""
    delivery_mode: str = ""
    free_only: bool = False
    age: int | None = None
    accepting_only: bool = False
    near: Nearby | None = None
    day: str = ""  # an RFC 5545 day code (schedules.DAY_CODES): a session on that day
    time_of_day: str = ""  # a key of TIMES_OF_DAY: a session then


def filter_services(services: QuerySet[Service], filters: DirectoryFilters) -> QuerySet[Service]:
    """Text search (ranked full-text on PostgreSQL, icontains on SQLite) and the filters, ANDed;
    nearest first when searching by distance."""
    if filters.need_domain:
        services = services.filter(need_domains__domain=filters.need_domain)
    if filters.delivery_mode in DELIVERY_MODE_FIELDS:
        services = services.filter(**{DELIVERY_MODE_FIELDS[filters.delivery_mode]: True})
    if filters.free_only:
        services = services.filter(is_free=True)
    if filters.age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=filters.age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=filters.age),
        )
    if filters.accepting_only:
        services = services.filter(capacity=Capacity.ACCEPTING)
    if filters.day or filters.time_of_day:
        services = services.filter(_has_session(filters.day, filters.time_of_day))
    # PostgreSQL text cannot hold NUL: a query string carrying one would otherwise be a 500.
    text = filters.text.replace("\x00", "").strip()
    order: list[Any] = ["name", "pk"]
    if text and connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        services = services.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        order = ["-rank", *order]
    elif text:
        services = services.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(provider__name__icontains=text)
        )
    if filters.near is not None:  # by distance, then as it would be without
        nearest_first = F("distance").asc(nulls_last=True)  # phone and online ones after
        # Asked for a service met in person or at home: one reached by phone is not that.
        remote_too = filters.delivery_mode not in (DeliveryMode.IN_PERSON, DeliveryMode.HOME_VISIT)
        services = _within(services, filters.near, remote_too=remote_too)
        order = [nearest_first, *order]
    return services.order_by(*order)


def _has_session(day: str, time_of_day: str) -> Exists:
    """A current session time on that day and/or at that time of day (one session, both)."""
    sessions = ServiceSchedule.objects.filter(service=OuterRef("pk")).exclude(
        valid_to__lt=timezone.localdate()
    )
    if day:
        sessions = sessions.filter(byday__contains=day)
    if time_of_day in TIMES_OF_DAY:
        sessions = sessions.filter(TIMES_OF_DAY[time_of_day])
    return Exists(sessions.order_by())


# Delivered where the person is, wherever the service's own building is (if it has one).
REMOTE_DELIVERY = Q(delivered_by_phone=True) | Q(delivered_online=True)


def _within(services: QuerySet[Service], near: Nearby, *, remote_too: bool) -> QuerySet[Service]:
    """Services with a location within the distance, each with the distance to its nearest
    location there: a bounding box the coordinates index serves, then the haversine, in the
    same query. Services delivered by phone or online reach the person wherever they are: they
    are kept too, with no distance (None) unless one of their locations is within it. A service
    seen only in person (or at home) with no location near is left out: nothing says it serves
    the area."""
    south, north, west, east = bounding_box(near.latitude, near.longitude, near.metres)
    nearest = (
        Location.objects.filter(
            service=OuterRef("pk"), latitude__range=(south, north), longitude__range=(west, east)
        )
        .annotate(
            metres=haversine_expression("latitude", "longitude", near.latitude, near.longitude)
        )
        .filter(metres__lte=near.metres)
        .order_by("metres")
        .values("metres")[:1]
    )
    services = services.annotate(distance=Subquery(nearest))
    if remote_too:
        return services.filter(Q(distance__isnull=False) | REMOTE_DELIVERY)
    return services.filter(distance__isnull=False)


def search_directory(filters: DirectoryFilters) -> QuerySet[Service]:
    """What a coordinator may refer to: referable services only."""
    return filter_services(Service.objects.referable().with_listing_data(), filters)


def services_visible_to(user: User) -> QuerySet[Service]:
    """Vetters see the whole directory; other staff only what they can refer to."""
    if user_has_role(user, Role.VETTER):
        return Service.objects.all()
    return Service.objects.referable()


def service_for_user(user: User, public_id: uuid.UUID | str) -> Service:
    """Fetch-and-authorise: a service the user may not see is a 404."""
    return get_object_or_404(
        services_visible_to(user)
        .select_related("provider")
        .prefetch_related("need_domains", "schedules", "locations__opening_times"),
        public_id=public_id,
    )


def vetting_queue(*, today: datetime.date | None = None) -> dict[str, QuerySet[Service]]:
    day = today or timezone.localdate()
    base = Service.objects.select_related("provider", "submitted_by")
    return {
        "submitted": base.filter(status=ServiceStatus.SUBMITTED).order_by("submitted_at", "pk"),
        "expiring": base.referable(on=day)
        .filter(vetted_until__lte=day + datetime.timedelta(days=EXPIRING_SOON_DAYS))
        .order_by("vetted_until", "pk"),
        "expired": base.filter(
            Q(status=ServiceStatus.EXPIRED) | Q(status=ServiceStatus.APPROVED, vetted_until__lt=day)
        ).order_by("vetted_until", "pk"),
    }


def active_vetters() -> list[User]:
    """Who the vetting reminders go to: every active vetter, once each."""
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.VETTER).distinct().order_by("pk")
    )


def known_postcode(text: str) -> bool:
    """Whether the text is a postcode the lookup has (a patient's, say, to search near)."""
    try:
        return postcode_centre(normalise_postcode(text)) is not None
    except BadPostcode:
        return False


def postcode_directory_loaded() -> bool:
    """Whether the postcode lookup has been loaded at all (`manage.py load_postcodes`): a fresh
    install has none, and then no postcode can be placed."""
    return Postcode.objects.exists()


def postcode_centre(postcode: str) -> Postcode | None:
    """A normalised postcode's centre (geography.normalise_postcode), or None if unknown."""
    return Postcode.objects.filter(postcode=postcode).first()


def services_of_provider_user(user: User) -> QuerySet[Service]:
    """The services run by the user's provider organisation(s), whatever their vetting."""
    organisation_ids = [
        m.organisation_id for m in user.cached_memberships if m.role == Role.PROVIDER
    ]
    return (
        Service.objects.filter(provider__organisation_id__in=organisation_ids)
        .select_related("provider")
        .order_by("name", "pk")
    )


def service_for_provider_user(user: User, public_id: uuid.UUID | str) -> Service:
    """Fetch-and-authorise: another organisation's service is a 404."""
    return get_object_or_404(services_of_provider_user(user), public_id=public_id)
