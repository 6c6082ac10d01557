"""Casework API: cases, conversations, goals, measures, plan actions and reviews. Scoped like the
pages (another team's case is a 404); the services do the work and their refusals are 409s."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import TEAM_ROLES, Role, User
from accounts.permissions import has_role
from community_services.models import Service
from referrals.models import Referral
from referrals.selectors import get_service_referral_for_team
from referrals.serializers import ServiceReferralSerializer

from . import selectors, services
from .models import Goal, PlanAction
from .serializers import (
    CaseSerializer,
    CloseCaseSerializer,
    ConversationSerializer,
    GoalSerializer,
    GoalStatusSerializer,
    NoteSerializer,
    PlanActionSerializer,
    ReassignSerializer,
    RecordedReviewSerializer,
    RecordReviewSerializer,
    ReferOnResultSerializer,
    ReferOnSerializer,
    RescheduleSerializer,
    ReviewSerializer,
    TimelineEntrySerializer,
    WellbeingMeasureSerializer,
)


class CaseFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="referral_id", label="Case (referral) id")


class CaseworkViewSet(viewsets.GenericViewSet):
    """Team members only; every list and read is audited."""

    audit_name = ""
    filterset_class = CaseFilter

    def get_permissions(self):
        return [*super().get_permissions(), has_role(*TEAM_ROLES)()]

    def scoped(self, user):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped(self.request.user).order_by("id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.record_casework_list_viewed(
            by=request.user,
            what=f"api {self.audit_name} list",
            object_type=self.audit_name,
            records=page,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        services.record_case_viewed(
            case=obj.referral, by=request.user, what=self.audit_name, via="api"
        )
        return Response(self.get_serializer(obj).data)

    def case_from(self, data):
        """The case named in a request body, scoped: another team's case is a 404."""
        return get_object_or_404(selectors.cases_for(self.request.user), pk=data["referral_id"])

    def reply(self, obj, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filterset_fields = ["status"]

    def get_permissions(self):
        roles = (Role.MANAGER,) if self.action == "reassign" else TEAM_ROLES
        return [*super().get_permissions(), has_role(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return selectors.cases_for(self.request.user).order_by("-accepted_at", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.record_casework_list_viewed(
            by=request.user, what="api case list", object_type="referral", records=page
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.record_case_viewed(case=case, by=request.user, via="api")
        return Response(self.get_serializer(case).data)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        case = self.get_object()
        services.record_case_viewed(case=case, by=request.user, what="timeline", via="api")
        return Response(TimelineEntrySerializer(selectors.case_timeline(case), many=True).data)

    @extend_schema(request=ReassignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        case = self.get_object()
        data = _valid(ReassignSerializer, request)
        to = User.objects.filter(pk=data["to"]).first()
        if to is None:
            raise ValidationError({"to": "No such coordinator."})
        services.reassign_case(case=case, by=request.user, to=to, note=data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=ReferOnSerializer, responses={201: ReferOnResultSerializer})
    @action(detail=True, methods=["post"], url_path="refer-on")
    def refer_on(self, request, pk=None):
        """Refer the patient on for some of their goals: the onward referral and its plan
        action together, as on the case page."""
        case = self.get_object()
        data = _valid(ReferOnSerializer, request)
        service = Service.objects.filter(public_id=data["service"]).first()
        if service is None:
            raise ValidationError({"service": "No such service."})
        found = Goal.objects.in_bulk(data["goals"])
        if len(found) != len(set(data["goals"])):
            raise ValidationError({"goals": "No such goal."})
        # In the order given (the first leads); which goals may be chosen is the service's rule.
        goals = [found[pk] for pk in dict.fromkeys(data["goals"])]
        plan_action = services.refer_case_on(
            case=case,
            by=request.user,
            service=service,
            goals=goals,
            provider_needs_to_know=data["provider_needs_to_know"],
            due_date=data["due_date"],
        )
        service_referral = get_service_referral_for_team(
            request.user, case, plan_action.service_referral_id
        )
        return Response(
            {
                "plan_action": plan_action.pk,
                "service_referral": ServiceReferralSerializer(service_referral).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CloseCaseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        data = _valid(CloseCaseSerializer, request)
        services.close_case(case=case, by=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class EditableCaseworkViewSet(
    CaseworkViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Casework that is listed, read, added and changed in part (PATCH), never replaced."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class ConversationViewSet(
    CaseworkViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    serializer_class = ConversationSerializer
    audit_name = "conversation"

    def scoped(self, user):
        return selectors.conversations_for(user)

    def create(self, request, *args, **kwargs):
        data = _valid(ConversationSerializer, request)
        case = self.case_from(data)
        del data["referral_id"]
        conversation = services.record_conversation(case=case, by=request.user, **data)
        return self.reply(conversation, status.HTTP_201_CREATED)


class GoalViewSet(EditableCaseworkViewSet):
    serializer_class = GoalSerializer
    audit_name = "goal"

    def scoped(self, user):
        return selectors.goals_for(user)

    def create(self, request, *args, **kwargs):
        data = _valid(GoalSerializer, request)
        case = self.case_from(data)
        goal = services.add_goal(
            case=case,
            by=request.user,
            statement=data["statement"],
            need_domain=data["need_domain"],
            priority=data["priority"],
            target_date=data.get("target_date"),
            conversation=case.conversations.first(),
        )
        return self.reply(goal, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        goal = self.get_object()
        serializer = GoalSerializer(goal, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.update_goal(
            goal=goal,
            by=request.user,
            statement=data.get("statement", goal.statement),
            need_domain=data.get("need_domain", goal.need_domain),
            priority=data.get("priority", goal.priority),
            target_date=data.get("target_date", goal.target_date),
        )
        return self.reply(goal)

    @extend_schema(request=GoalStatusSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        goal = self.get_object()
        data = _valid(GoalStatusSerializer, request)
        services.set_goal_status(goal=goal, by=request.user, status=data["status"])
        return self.reply(goal)


class WellbeingMeasureViewSet(
    CaseworkViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    serializer_class = WellbeingMeasureSerializer
    audit_name = "wellbeing_measure"

    def scoped(self, user):
        return selectors.measures_for(user)

    def create(self, request, *args, **kwargs):
        data = _valid(WellbeingMeasureSerializer, request)
        case = self.case_from(data)
        try:
            measure = services.record_measure(
                case=case,
                by=request.user,
                instrument=data["instrument"],
                occasion=data["occasion"],
                answers=data["answers"],
                taken_on=data.get("taken_on"),
            )
        except DjangoValidationError as exc:
            errors = exc.message_dict
            top = {
                key: errors.pop(key)
                for key in ("occasion", "taken_on", "instrument")
                if key in errors
            }
            raise ValidationError({**top, **({"answers": errors} if errors else {})}) from exc
        return self.reply(measure, status.HTTP_201_CREATED)


class PlanActionViewSet(EditableCaseworkViewSet):
    serializer_class = PlanActionSerializer
    audit_name = "plan_action"

    def scoped(self, user):
        return selectors.plan_actions_for(user)

    def _goal(self, case, goal_id) -> Goal:
        goal = Goal.objects.filter(pk=goal_id, referral=case).first()
        if goal is None:
            raise ValidationError({"goal": "Choose one of this case's goals."})
        return goal

    def create(self, request, *args, **kwargs):
        data = _valid(PlanActionSerializer, request)
        case = self.case_from(data)
        plan_action = services.add_plan_action(
            case=case,
            by=request.user,
            goal=self._goal(case, data["goal_id"]),
            description=data["description"],
            owner=data["owner"],
            owner_detail=data.get("owner_detail", ""),
            due_date=data.get("due_date"),
        )
        return self.reply(plan_action, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan_action: PlanAction = self.get_object()
        serializer = PlanActionSerializer(plan_action, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        goal = (
            self._goal(plan_action.referral, data["goal_id"])
            if "goal_id" in data
            else plan_action.goal
        )
        services.update_plan_action(
            action=plan_action,
            by=request.user,
            goal=goal,
            description=data.get("description", plan_action.description),
            owner=data.get("owner", plan_action.owner),
            owner_detail=data.get("owner_detail", plan_action.owner_detail),
            due_date=data.get("due_date", plan_action.due_date),
            status=data.get("status", plan_action.status),
        )
        return self.reply(plan_action)


class ReviewViewSet(
    CaseworkViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    serializer_class = ReviewSerializer
    audit_name = "review"

    def scoped(self, user):
        return selectors.reviews_for(user)

    def create(self, request, *args, **kwargs):
        data = _valid(ReviewSerializer, request)
        case = self.case_from(data)
        review = services.schedule_review(
            case=case,
            by=request.user,
            scheduled_for=data["scheduled_for"],
            mode=data["mode"],
            with_whom=data.get("with_whom", ""),
        )
        return self.reply(review, status.HTTP_201_CREATED)

    @extend_schema(request=RescheduleSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        review = self.get_object()
        data = _valid(RescheduleSerializer, request)
        services.reschedule_review(review=review, by=request.user, **data)
        return self.reply(review)

    @extend_schema(request=NoteSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        review = self.get_object()
        data = _valid(NoteSerializer, request)
        services.cancel_review(review=review, by=request.user, reason=data["note"])
        return self.reply(review)

    @extend_schema(request=NoteSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def missed(self, request, pk=None):
        review = self.get_object()
        data = _valid(NoteSerializer, request)
        services.mark_review_missed(review=review, by=request.user, note=data["note"])
        return self.reply(review)

    @extend_schema(request=RecordReviewSerializer, responses=RecordedReviewSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        review = self.get_object()
        data = _valid(RecordReviewSerializer, request)
        recorded = services.record_review(
            review=review,
            by=request.user,
            notes=data["notes"],
            ratings=[
                services.GoalRating(r["goal"], r["rating"], r["note"]) for r in data["ratings"]
            ],
            measure=dict(data["measure"]) if data["measure"] else None,
            continue_case=data["continue_case"],
            next_review_at=data["next_review_at"],
            next_mode=data["next_mode"],
            held_at=data["held_at"],
        )
        return Response(
            RecordedReviewSerializer(
                {"review": recorded.review, "next_review": recorded.next_review}
            ).data
        )
