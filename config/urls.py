from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views

from .api import api_urlpatterns
from .health import healthz

handler400 = "config.hostile_input.bad_request_handler"
handler500 = "config.unavailable.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("referrals.urls")),
    path("", include("coordinators.urls")),
    path("", include("community_services.urls")),
    path("hsds/", include("community_services.hsds_views")),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
