from django.urls import path

from . import (
    contact_views,
    new_referral_views,
    patient_views,
    self_referral_views,
    triage_views,
    views,
)
from . import service_referral_views as onward
from .models import ReferralAction

app_name = "referrals"
urlpatterns = [
    path("practice/", views.practice_home, name="practice-home"),
    path("provider/", onward.provider_home, name="provider-home"),
    path(
        "provider/referrals/<int:pk>/",
        onward.provider_service_referral,
        name="provider-service-referral",
    ),
    path("respond/<str:token>/", onward.provider_link, name="provider-link"),
    path("did-you-go/<str:token>/", onward.attendance_answer, name="attendance-answer"),
    path("self-referral/", self_referral_views.self_referral, name="self-referral"),
    path("self-referral/sent/", self_referral_views.self_referral_sent, name="self-referral-sent"),
    path("patients/search/", patient_views.patient_search, name="patient-search"),
    path("referrals/new/", new_referral_views.new_referral, name="new"),
    path("referrals/new/check/", new_referral_views.new_referral_check, name="new-check"),
    path("referrals/new/<slug:step>/", new_referral_views.new_referral_step, name="new-step"),
    path("referrals/triage/", triage_views.triage, name="triage"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("referrals/<str:reference>/confirmation/", views.confirmation, name="confirmation"),
    path("referrals/<str:reference>/accept/", views.accept, name="accept"),
    *(
        path(
            f"referrals/<str:reference>/{part}/", views.triage_change, {"action": action}, name=name
        )
        for action, part, name in (
            (ReferralAction.DECLINE, "decline", "decline"),
            (ReferralAction.FIRST_CONTACT, "first-contact", "first-contact"),
            (ReferralAction.UNABLE_TO_CONTACT, "unable-to-contact", "unable"),
        )
    ),
    path(
        "referrals/<str:reference>/contact-attempts/new/",
        contact_views.contact_attempt,
        name="contact-attempt",
    ),
    path(
        "referrals/<str:reference>/confirm-identity/",
        contact_views.confirm_identity,
        name="confirm-identity",
    ),
    path(
        "referrals/<str:reference>/patient-declined/",
        views.patient_declined,
        name="patient-declined",
    ),
    path(
        "referrals/<str:reference>/add-information/",
        views.add_information,
        name="add-information",
    ),
    path(
        "referrals/<str:reference>/patient-details/",
        views.patient_details,
        name="patient-details",
    ),
    path(
        "referrals/<str:reference>/registered-practice/",
        views.registered_practice,
        name="registered-practice",
    ),
    path(
        "referrals/<str:reference>/consent-to-share/",
        onward.consent_to_share,
        name="consent-to-share",
    ),
    path(
        "referrals/<str:reference>/onward/<int:pk>/",
        onward.team_service_referral,
        name="service-referral",
    ),
]
