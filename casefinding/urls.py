from django.urls import path

from . import outreach_views, upload_views

app_name = "casefinding"
urlpatterns = [
    path("case-finding/", upload_views.uploads, name="uploads"),
    path("case-finding/upload/", upload_views.upload, name="upload"),
    path("case-finding/upload/confirm/", upload_views.confirm, name="confirm"),
    path("case-finding/uploads/<int:pk>/", upload_views.upload_detail, name="upload-detail"),
    path(
        "case-finding/uploads/<int:pk>/progress/",
        upload_views.upload_progress,
        name="upload-progress",
    ),
    path("outreach/", outreach_views.worklist, name="worklist"),
    path("outreach/<int:pk>/", outreach_views.entry_page, name="entry"),
    path("outreach/<int:pk>/take/", outreach_views.take, name="take"),
]
