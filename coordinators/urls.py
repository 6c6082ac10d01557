from django.urls import path

from . import views

app_name = "coordinators"
case = "cases/<str:reference>/"
urlpatterns = [
    path("coordinator/", views.home, name="home"),
    path("team/", views.team_home, name="team-home"),
    path("cases/reviews/upcoming/", views.upcoming_reviews, name="upcoming-reviews"),
    path(case, views.case_detail, name="case"),
    path(f"{case}conversation/", views.conversation_new, name="conversation-new"),
    path(f"{case}goals/new/", views.goal_new, name="goal-new"),
    path(f"{case}goals/<int:goal_id>/", views.goal_edit, name="goal-edit"),
    path(f"{case}goals/<int:goal_id>/status/", views.goal_status, name="goal-status"),
    path(f"{case}measures/<str:instrument>/new/", views.measure_new, name="measure-new"),
    path(f"{case}plan/new/", views.plan_action_new, name="plan-action-new"),
    path(f"{case}plan/<int:action_id>/", views.plan_action_edit, name="plan-action-edit"),
    path(f"{case}plan/print/", views.plan_print, name="plan-print"),
    path(f"{case}reviews/new/", views.review_schedule, name="review-schedule"),
    path(
        f"{case}reviews/<int:review_id>/reschedule/",
        views.review_reschedule,
        name="review-reschedule",
    ),
    path(f"{case}reviews/<int:review_id>/cancel/", views.review_cancel, name="review-cancel"),
    path(f"{case}reviews/<int:review_id>/missed/", views.review_missed, name="review-missed"),
    path(f"{case}reviews/<int:review_id>/record/", views.review_record, name="review-record"),
    path(f"{case}refer-on/", views.case_refer_on, name="case-refer-on"),
    path(
        f"{case}refer-on/<uuid:service_id>/",
        views.case_refer_on_service,
        name="case-refer-on-service",
    ),
    path(f"{case}close/", views.case_close, name="case-close"),
    path(f"{case}reassign/", views.case_reassign, name="case-reassign"),
    path("patients/<int:patient_id>/subject-access/", views.subject_access, name="subject-access"),
    path(
        "patients/<int:patient_id>/subject-access.json",
        views.subject_access_json,
        name="subject-access-json",
    ),
]
