from django.urls import path

from . import discussion_views, views

app_name = "gp_messages"

urlpatterns = [
    path("messages/", views.message_list, name="list"),
    path("messages/<uuid:message_id>/", views.message_detail, name="detail"),
    path("messages/<uuid:message_id>/letter.pdf", views.message_pdf, name="pdf"),
    path("messages/<uuid:message_id>/document.json", views.message_fhir, name="fhir"),
    path("messages/<uuid:message_id>/filed", views.message_filed, name="filed"),
    path("messages/<uuid:message_id>/correct/", views.message_correct, name="correct"),
    path("cases-to-discuss/", discussion_views.cases_to_discuss_list, name="cases-to-discuss"),
    path(
        "cases/<str:reference>/practice-discussion/",
        discussion_views.flag_for_discussion,
        name="flag-for-discussion",
    ),
    path(
        "cases/<str:reference>/practice-reviews/new/",
        discussion_views.practice_review_new,
        name="practice-review-new",
    ),
]
