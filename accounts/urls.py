from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("no-role/", views.no_role, name="no-role"),
    path("audit/", views.audit_list, name="audit-list"),
]
