"""The /api/v1/ surface: one router that every app registers its viewsets on."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api_views import (
    MeView,
    PingView,
    TokenIssueView,
    TokenRevokeAllView,
    TokenRevokeView,
)
from community_services.api import ProviderViewSet, ServiceViewSet
from coordinators.api import (
    CaseViewSet,
    ConversationViewSet,
    GoalViewSet,
    PlanActionViewSet,
    ReviewViewSet,
    WellbeingMeasureViewSet,
)
from referrals.api import ReferralViewSet, ServiceReferralViewSet


class JSONRouter(DefaultRouter):
    """JSON only: no `.json` format-suffix routes (their detail actions did not take `format`
    and answered 500)."""

    include_format_suffixes = False


router = JSONRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("providers", ProviderViewSet, basename="provider")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("cases", CaseViewSet, basename="case")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("goals", GoalViewSet, basename="goal")
router.register("measures", WellbeingMeasureViewSet, basename="measure")
router.register("plan-actions", PlanActionViewSet, basename="plan-action")
router.register("reviews", ReviewViewSet, basename="review")
router.register("service-referrals", ServiceReferralViewSet, basename="service-referral")

api_urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("ping/", PingView.as_view(), name="ping"),
    path("auth/token/", TokenIssueView.as_view(), name="token-issue"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("auth/token/revoke-all/", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    *router.urls,
]
