from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from knox.models import AuthToken

from .models import AuditEvent, Membership, Notification, Organisation, User
from .services import deactivate_user, revoke_api_token

# Knox's own token admin shows digests and mints tokens outside issue_api_token (which the
# service would refuse): replaced by a list to revoke from.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class APITokenAdmin(admin.ModelAdmin):
    """API tokens by id, user and expiry; delete one to revoke it (audited)."""

    list_display = ["token_key", "user", "created", "expiry"]
    search_fields = ["token_key", "user__email"]
    list_select_related = ["user"]
    fields = ["token_key", "user", "created", "expiry"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        revoke_api_token(token=obj, by=request.user, reason="revoked in the admin")

    def delete_queryset(self, request, queryset):
        for token in queryset:
            revoke_api_token(token=token, by=request.user, reason="revoked in the admin")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    actions = ["deactivate_and_log_out"]

    @admin.action(description="Deactivate and end their sessions")
    def deactivate_and_log_out(self, request, queryset):
        for user in queryset:
            deactivate_user(user=user, by=request.user)
        self.message_user(request, f"{queryset.count()} user(s) deactivated and logged out.")

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "phone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ods_code"]
    list_filter = ["kind"]
    search_fields = ["name", "ods_code"]
    # A commissioning organisation's teams: whose reports its commissioners read.
    filter_horizontal = ["commissioned_teams"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail can be browsed, never edited."""

    list_display = [
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "patient_id",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "patient_id", "request_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "verb", "message", "created_at", "read_at"]
    list_filter = ["verb"]
    list_select_related = ["recipient"]
