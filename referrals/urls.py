from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("practice/", views.practice_home, name="practice-home"),
    path("provider/", views.provider_home, name="provider-home"),
    path("referrals/new/", views.new_referral, name="new"),
    path("referrals/new/details/", views.new_referral_details, name="new-details"),
    path("referrals/triage/", views.triage, name="triage"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("referrals/<str:reference>/confirmation/", views.confirmation, name="confirmation"),
    path("referrals/<str:reference>/accept/", views.accept, name="accept"),
    path("referrals/<str:reference>/decline/", views.decline, name="decline"),
    path("referrals/<str:reference>/first-contact/", views.first_contact, name="first-contact"),
    path("referrals/<str:reference>/unable-to-contact/", views.unable_to_contact, name="unable"),
    path("referrals/<str:reference>/close/", views.close, name="close"),
    path(
        "referrals/<str:reference>/patient-declined/",
        views.patient_declined,
        name="patient-declined",
    ),
]
