from django.urls import path

from .models import ReviewAction
from .views import (
    calendar,
    case_page,
    caseload,
    casework,
    closing,
    refer_on,
    reviews,
    subject_access,
)

app_name = "coordinators"
case = "cases/<str:reference>/"
urlpatterns = [
    path("coordinator/", caseload.home, name="home"),
    path("coordinator/closed/", caseload.closed_cases, name="closed-cases"),
    path("coordinator/all/", caseload.all_cases, name="all-cases"),
    path("team/", caseload.team_home, name="team-home"),
    path("cases/reviews/upcoming/", caseload.upcoming_reviews, name="upcoming-reviews"),
    path("cases/reviews/calendar/", calendar.review_calendar, name="review-calendar"),
    path(case, case_page.case_detail, name="case"),
    path(f"{case}conversation/", casework.conversation_new, name="conversation-new"),
    path(f"{case}goals/new/", casework.goal_new, name="goal-new"),
    path(f"{case}goals/<int:goal_id>/", casework.goal_edit, name="goal-edit"),
    path(f"{case}goals/<int:goal_id>/status/", casework.goal_status, name="goal-status"),
    path(f"{case}measures/<str:instrument>/new/", casework.measure_new, name="measure-new"),
    path(f"{case}plan/new/", casework.plan_action_new, name="plan-action-new"),
    path(f"{case}plan/<int:action_id>/", casework.plan_action_edit, name="plan-action-edit"),
    path(f"{case}plan/print/", case_page.plan_print, name="plan-print"),
    path(f"{case}reviews/new/", reviews.review_schedule, name="review-schedule"),
    path(
        f"{case}reviews/<int:review_id>/reschedule/",
        reviews.review_reschedule,
        name="review-reschedule",
    ),
    *(
        path(
            f"{case}reviews/<int:review_id>/{ending}/",
            reviews.review_end,
            {"action": ending},
            name=f"review-{ending}",
        )
        for ending in (ReviewAction.CANCEL, ReviewAction.MISSED)
    ),
    path(f"{case}reviews/<int:review_id>/record/", reviews.review_record, name="review-record"),
    path(f"{case}reviews/<int:review_id>/invite.ics", calendar.review_ics, name="review-ics"),
    path(f"{case}refer-on/", refer_on.case_refer_on, name="case-refer-on"),
    path(
        f"{case}refer-on/<uuid:service_id>/",
        refer_on.case_refer_on_service,
        name="case-refer-on-service",
    ),
    path(f"{case}close/", closing.case_close, name="case-close"),
    path(f"{case}reassign/", caseload.case_reassign, name="case-reassign"),
    path(
        "patients/<int:patient_id>/subject-access/",
        subject_access.subject_access,
        name="subject-access",
    ),
    path(
        "patients/<int:patient_id>/subject-access.json",
        subject_access.subject_access_json,
        name="subject-access-json",
    ),
]
