from django.contrib import admin

from accounts.admin_audit import PatientDataAdmin

from .models import IdempotencyKey, Patient, Referral, ReferralEvent, TeamCoverage


@admin.register(TeamCoverage)
class TeamCoverageAdmin(admin.ModelAdmin):
    list_display = ["practice", "team"]
    autocomplete_fields = ["practice", "team"]


@admin.register(Patient)
class PatientAdmin(PatientDataAdmin):
    list_display = ["family_name", "given_name", "nhs_number", "registered_practice"]
    search_fields = ["nhs_number", "family_name", "given_name"]
    list_select_related = ["registered_practice"]
    readonly_fields = [
        field
        for consent in Patient.CONSENTS
        for field in (f"{consent}_recorded_by", f"{consent}_recorded_at")
    ]

    def audit_patient_id(self, obj) -> int:
        return obj.pk


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ["occurred_at", "actor", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(PatientDataAdmin):
    """Read-only: status changes go through the pages and the API, which audit them."""

    list_display = ["reference", "status", "urgency", "referring_practice", "team", "received_at"]
    list_filter = ["status", "urgency", "team"]
    search_fields = ["reference", "patient__nhs_number", "patient__family_name"]
    list_select_related = ["referring_practice", "team"]
    inlines = [ReferralEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
