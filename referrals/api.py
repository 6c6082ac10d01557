"""Referrals API for practice systems and the coordinator team. Thin: services do the work."""

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from accounts.models import TEAM_ROLES, Organisation, OrganisationKind, Role, User
from accounts.permissions import has_role
from community_services.models import Service

from . import idempotency, services
from .models import Referral, ServiceReferral, ServiceReferralAction
from .selectors import (
    get_visible_referral,
    practice_ids_of,
    visible_referrals,
    visible_service_referrals,
)
from .serializers import (
    AcceptSerializer,
    DeclineSerializer,
    DetailsDecisionSerializer,
    FirstContactSerializer,
    PatientDeclinedSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    RegisteredPracticeSerializer,
    ServiceDeclineSerializer,
    ServiceReferralCreateSerializer,
    ServiceReferralNoteSerializer,
    ServiceReferralSerializer,
    UnableToContactSerializer,
)


class ReferralCursorPagination(CursorPagination):
    page_size = 25
    ordering = ("-received_at", "-id")


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Retry-safe creation: the same key and body return the original response.",
)


class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Referral.objects.none()
    serializer_class = ReferralSerializer
    pagination_class = ReferralCursorPagination
    filterset_fields = ["status", "urgency"]

    def get_permissions(self):
        if self.action == "create":
            roles = (Role.REFERRER,)
        elif self.action in {"list", "retrieve", "patient_declined"}:
            roles = (Role.REFERRER, *TEAM_ROLES)
        else:
            roles = TEAM_ROLES
        return [*super().get_permissions(), has_role(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return visible_referrals(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.record_referral_list_viewed(by=request.user, what="api list", referrals=page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        services.record_referral_viewed(referral=referral, by=request.user, via="api")
        return Response(self._body(referral))

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return self._create(request)
        if len(key) > idempotency.MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": "The key is longer than 255 characters."})
        claim = idempotency.claim_key(
            user=request.user,
            key=key,
            request_fingerprint=idempotency.fingerprint(
                method=request.method, path=request.path, payload=request.data
            ),
        )
        if claim.replay:
            return Response(
                claim.record.response_body,
                status=claim.record.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            with transaction.atomic():
                response = self._create(request)
                idempotency.complete_key(
                    record=claim.record, status=response.status_code, body=response.data
                )
        except BaseException:
            idempotency.release_key(record=claim.record)
            raise
        return response

    def _create(self, request) -> Response:
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        patient = dict(data.pop("patient"))
        practice = Organisation.objects.filter(pk__in=practice_ids_of(request.user)).first()
        received = services.receive_referral(
            referred_by=request.user,
            practice=practice,  # type: ignore[arg-type]  # a referrer has a practice
            patient=patient,
            referral=data,
        )
        body = self._body(self._reload(received.referral))
        return Response(body, status=status.HTTP_201_CREATED)

    def _body(self, referral) -> dict:
        return ReferralSerializer(referral, context={"request": self.request}).data

    def _reload(self, referral):
        return visible_referrals(self.request.user).get(pk=referral.pk)

    def _transition(self, request, serializer_class, run):
        referral = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(referral, serializer.validated_data)
        return Response(self._body(self._reload(referral)))

    @extend_schema(request=AcceptSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        def run(referral, data):
            assignee = None
            if "assign_to" in data:
                assignee = User.objects.filter(pk=data["assign_to"]).first()
                if assignee is None:
                    raise serializers.ValidationError({"assign_to": "No such coordinator."})
            services.accept_referral(
                referral=referral, by=request.user, assign_to=assignee, note=data["note"]
            )

        return self._transition(request, AcceptSerializer, run)

    @extend_schema(request=DeclineSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._transition(
            request,
            DeclineSerializer,
            lambda referral, data: services.decline_referral(
                referral=referral, by=request.user, reason=data["reason"], note=data["note"]
            ),
        )

    @extend_schema(request=FirstContactSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="first-contact")
    def first_contact(self, request, pk=None):
        return self._transition(
            request,
            FirstContactSerializer,
            lambda referral, data: services.record_first_contact(
                referral=referral,
                by=request.user,
                contacted_on=data["contacted_on"],
                method=data["method"],
                note=data["note"],
            ),
        )

    @extend_schema(request=UnableToContactSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="unable-to-contact")
    def unable_to_contact(self, request, pk=None):
        return self._transition(
            request,
            UnableToContactSerializer,
            lambda referral, data: services.record_unable_to_contact(
                referral=referral, by=request.user, attempts=data["attempts"], note=data["note"]
            ),
        )

    @extend_schema(request=PatientDeclinedSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="patient-declined")
    def patient_declined(self, request, pk=None):
        return self._transition(
            request,
            PatientDeclinedSerializer,
            lambda referral, data: services.record_patient_declined(
                referral=referral, by=request.user, note=data["note"]
            ),
        )

    @extend_schema(request=DetailsDecisionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="patient-details")
    def patient_details(self, request, pk=None):
        """Where the referral's details differ from the record: copy some in, or keep it."""
        return self._transition(
            request,
            DetailsDecisionSerializer,
            lambda referral, data: services.resolve_details_difference(
                referral=referral, by=request.user, accept_fields=data["copy"]
            ),
        )

    @extend_schema(request=RegisteredPracticeSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="registered-practice")
    def registered_practice(self, request, pk=None):
        def run(referral, data):
            practice = Organisation.objects.filter(
                public_id=data["practice"], kind=OrganisationKind.GP_PRACTICE
            ).first()
            if practice is None:
                raise serializers.ValidationError({"practice": "No such GP practice."})
            services.change_registered_practice(
                referral=referral, by=request.user, practice=practice
            )

        return self._transition(request, RegisteredPracticeSerializer, run)


class ServiceReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Onward referrals: the team's, or those to the provider organisation's services."""

    queryset = ServiceReferral.objects.none()
    serializer_class = ServiceReferralSerializer
    filterset_fields = ["status"]

    def get_permissions(self):
        if self.action in {"create", "withdraw", "send_link"}:
            roles = TEAM_ROLES
        else:
            roles = (*TEAM_ROLES, Role.PROVIDER)
        return [*super().get_permissions(), has_role(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceReferral.objects.none()
        return visible_service_referrals(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.record_service_referral_list_viewed(
            by=request.user, what="api list", service_referrals=page
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        service_referral = self.get_object()
        services.record_service_referral_viewed(
            service_referral=service_referral, by=request.user, via="api"
        )
        return Response(ServiceReferralSerializer(service_referral).data)

    @extend_schema(
        request=ServiceReferralCreateSerializer, responses={201: ServiceReferralSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = ServiceReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            referral = get_visible_referral(request.user, data["referral"])
        except Http404 as exc:
            raise ValidationError({"referral": "No such referral."}) from exc
        service = Service.objects.filter(public_id=data["service"]).first()
        if service is None:
            raise ValidationError({"service": "No such service."})
        created = services.create_service_referral(
            referral=referral,
            service=service,
            by=request.user,
            provider_needs_to_know=data["provider_needs_to_know"],
        )
        return Response(
            ServiceReferralSerializer(self.get_queryset().get(pk=created.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _change(self, request, serializer_class, run):
        service_referral = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(service_referral, serializer.validated_data)
        return Response(
            ServiceReferralSerializer(self.get_queryset().get(pk=service_referral.pk)).data
        )

    def _answer(self, request, action_name):
        return self._change(
            request,
            ServiceReferralNoteSerializer,
            lambda service_referral, data: services.answer_service_referral(
                action=action_name,
                service_referral=service_referral,
                by=request.user,
                note=data["note"],
            ),
        )

    @extend_schema(request=ServiceReferralNoteSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, ServiceReferralAction.ACCEPT)

    @extend_schema(request=ServiceDeclineSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._change(
            request,
            ServiceDeclineSerializer,
            lambda service_referral, data: services.decline_service_referral(
                service_referral=service_referral,
                by=request.user,
                reason=data["reason"],
                note=data["note"],
            ),
        )

    @extend_schema(request=ServiceReferralNoteSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def attended(self, request, pk=None):
        return self._answer(request, ServiceReferralAction.ATTENDED)

    @extend_schema(request=ServiceReferralNoteSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"], url_path="did-not-attend")
    def did_not_attend(self, request, pk=None):
        return self._answer(request, ServiceReferralAction.DID_NOT_ATTEND)

    @extend_schema(request=ServiceReferralNoteSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def completed(self, request, pk=None):
        return self._answer(request, ServiceReferralAction.COMPLETED)

    @extend_schema(request=ServiceReferralNoteSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._change(
            request,
            ServiceReferralNoteSerializer,
            lambda service_referral, data: services.withdraw_service_referral(
                service_referral=service_referral, by=request.user, note=data["note"]
            ),
        )

    @extend_schema(request=None, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"], url_path="send-link")
    def send_link(self, request, pk=None):
        service_referral = self.get_object()
        services.send_fresh_provider_link(service_referral=service_referral, by=request.user)
        return Response(
            ServiceReferralSerializer(self.get_queryset().get(pk=service_referral.pk)).data
        )
