"""The /api/v1/ surface: one router that every app registers its viewsets on."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api_views import MeView
from community_services.api import ProviderViewSet, ServiceViewSet
from referrals.api import ReferralViewSet, ServiceReferralViewSet

router = DefaultRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("providers", ProviderViewSet, basename="provider")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("service-referrals", ServiceReferralViewSet, basename="service-referral")

api_urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
