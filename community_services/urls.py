from django.urls import path

from . import provider_views, views

app_name = "community_services"
urlpatterns = [
    path("directory/our-services/", provider_views.provider_services, name="provider-services"),
    path(
        "directory/our-services/<uuid:public_id>/",
        provider_views.provider_listing,
        name="provider-listing",
    ),
    path("directory/", views.directory_search, name="directory-search"),
    path("directory/vetting/", views.vetter_home, name="vetter-home"),
    path("directory/services/", views.service_list, name="service-list"),
    path("directory/services/new/", views.service_create, name="service-create"),
    path("directory/providers/new/", views.provider_create, name="provider-create"),
    path("directory/services/<uuid:public_id>/", views.service_detail, name="service-detail"),
    path("directory/services/<uuid:public_id>/edit/", views.service_edit, name="service-edit"),
    path(
        "directory/services/<uuid:public_id>/review/", views.service_review, name="service-review"
    ),
    path(
        "directory/services/<uuid:public_id>/submit/", views.service_submit, name="service-submit"
    ),
    path(
        "directory/services/<uuid:public_id>/suspend/",
        views.service_suspend,
        name="service-suspend",
    ),
    path(
        "directory/services/<uuid:public_id>/reinstate/",
        views.service_reinstate,
        name="service-reinstate",
    ),
    path("directory/services/<uuid:public_id>/renew/", views.service_renew, name="service-renew"),
    path(
        "directory/services/<uuid:public_id>/history/",
        views.service_history,
        name="service-history",
    ),
]
