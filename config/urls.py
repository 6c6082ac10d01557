from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import about_pages
from accounts import views as account_views
from interop.urls import fhir_patterns, page_patterns

from . import health, metrics
from .api import api_urlpatterns
from .schema_access import SchemaAccess, schema_page

# The admin signs in through allauth (its rate limits, lockout and second factor), never through
# the admin's own password-only form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Our gauges that need the broker are config's to register (the apps' register themselves).
metrics.register()

handler400 = "config.hostile_input.bad_request_handler"
handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.page_not_found"
handler500 = "config.unavailable.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.ready, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accessibility/", about_pages.accessibility_statement, name="accessibility"),
    path("privacy/", about_pages.privacy_notice, name="privacy"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("referrals.urls")),
    path("", include("coordinators.urls")),
    path("", include("casefinding.urls")),
    path("", include("community_services.urls")),
    path("", include("gp_messages.urls")),
    path("", include("reports.urls")),
    path("hsds/", include("community_services.hsds_views")),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("fhir/", include(fhir_patterns)),
    path("", include(page_patterns)),
    path(
        "api/schema/", SpectacularAPIView.as_view(permission_classes=[SchemaAccess]), name="schema"
    ),
    path(
        "api/docs/",
        schema_page(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", permission_classes=[SchemaAccess]
            )
        ),
        name="swagger-ui",
    ),
]
