"""Reads of the directory: search for coordinators, queues for vetters."""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import user_has_role

from .models import DELIVERY_MODE_FIELDS, Capacity, Postcode, Service, ServiceStatus

EXPIRING_SOON_DAYS = 30


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    need_domain: str = ""
    delivery_mode: str = ""
    free_only: bool = False
    age: int | None = None
    accepting_only: bool = False


def filter_services(services: QuerySet[Service], filters: DirectoryFilters) -> QuerySet[Service]:
    """Text search (ranked full-text on PostgreSQL, icontains on SQLite) and the filters, ANDed."""
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
    # PostgreSQL text cannot hold NUL: a query string carrying one would otherwise be a 500.
    text = filters.text.replace("\x00", "").strip()
    if not text:
        return services.order_by("name", "pk")
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            services.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "name", "pk")
        )
    return services.filter(
        Q(name__icontains=text) | Q(description__icontains=text) | Q(provider__name__icontains=text)
    ).order_by("name", "pk")


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
