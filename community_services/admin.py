from django.contrib import admin

from .models import (
    Location,
    OpeningTime,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceStatusChange,
    ServiceVersion,
    VettingReview,
)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "charity_number", "email", "organisation"]
    search_fields = ["name", "charity_number", "company_number"]
    readonly_fields = ["public_id"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NeedDomainInline(ReadOnlyInline):
    model = ServiceNeedDomain


class LocationInline(ReadOnlyInline):
    model = Location


class StatusChangeInline(ReadOnlyInline):
    model = ServiceStatusChange


class VersionInline(ReadOnlyInline):
    model = ServiceVersion


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Read-only here: edits and transitions go through the vetter pages or the API, which
    apply the four-eyes rule, record versions and keep the search text current."""

    list_display = ["name", "provider", "status", "vetted_until", "capacity"]
    list_filter = ["status", "capacity"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider"]
    readonly_fields = [
        "public_id",
        "status",
        "status_reason",
        "vetted_until",
        "submitted_at",
        "submitted_by",
        "last_edited_by",
        "modified_at",
    ]
    inlines = [NeedDomainInline, LocationInline, StatusChangeInline, VersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OpeningTime)
class OpeningTimeAdmin(admin.ModelAdmin):
    list_display = ["location", "weekday", "opens_at", "closes_at"]


@admin.register(VettingReview)
class VettingReviewAdmin(admin.ModelAdmin):
    list_display = ["service", "decision", "reviewer", "reviewed_at", "vetted_until"]
    list_filter = ["decision"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
