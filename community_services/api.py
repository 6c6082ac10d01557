"""/api/v1/services/ and /api/v1/providers/: thin callers of selectors.py and services.py."""

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import has_role
from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH, validate_event_date
from common.pagination import CountingPageNumberPagination

from . import services
from .models import (
    Capacity,
    DeliveryMode,
    Location,
    OpeningTime,
    Provider,
    Service,
    VettingReview,
)
from .need_domains import NeedDomain
from .selectors import DirectoryFilters, filter_services, services_visible_to

STAFF_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.VETTER)


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "description",
            "charity_number",
            "company_number",
            "website",
            "email",
            "phone",
        ]


class OpeningTimeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningTime
        fields = ["weekday", "opens_at", "closes_at"]

    def validate(self, attrs):
        if attrs["opens_at"] >= attrs["closes_at"]:
            raise serializers.ValidationError("closes_at must be after opens_at.")
        return attrs


class LocationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", required=False)
    opening_times = OpeningTimeSerializer(many=True, required=False)

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address_1",
            "address_2",
            "city",
            "county",
            "postcode",
            "latitude",
            "longitude",
            "opening_times",
        ]


class ServiceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="public_id", queryset=Provider.objects)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    need_domains = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedDomain.choices),
        source="need_domain_codes",
        allow_empty=False,
    )
    delivery_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=DeliveryMode.choices)
    )
    locations = LocationSerializer(many=True, required=False)

    class Meta:
        model = Service
        fields = [
            "id",
            "provider",
            "provider_name",
            *services.SERVICE_FIELDS,
            "need_domains",
            "delivery_modes",
            "locations",
            "status",
            "status_reason",
            "vetted_until",
            "modified_at",
        ]
        read_only_fields = ["status", "status_reason", "vetted_until", "modified_at"]

    def validate(self, attrs):
        low = attrs.get("minimum_age", getattr(self.instance, "minimum_age", None))
        high = attrs.get("maximum_age", getattr(self.instance, "maximum_age", None))
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"maximum_age": "Must be at least minimum_age."})
        return attrs

    def _content(self, data) -> dict:
        content: dict[str, Any] = {
            "fields": {k: v for k, v in data.items() if k in services.SERVICE_FIELDS}
        }
        if "need_domain_codes" in data:
            content["need_domains"] = data["need_domain_codes"]
        if "delivery_modes" in data:
            content["delivery_modes"] = data["delivery_modes"]
        if "locations" in data:
            content["locations"] = [
                {
                    **{k: v for k, v in location.items() if k != "public_id"},
                    "public_id": location.get("public_id"),
                }
                for location in data["locations"]
            ]
        return content

    def create(self, validated_data):
        content = self._content(validated_data)
        content.setdefault("locations", [])
        content.setdefault("delivery_modes", [])
        return services.create_service(
            by=self.context["request"].user, provider=validated_data["provider"], **content
        )

    def update(self, instance, validated_data):
        return services.update_service(
            by=self.context["request"].user,
            service=instance,
            provider=validated_data.get("provider"),
            **self._content(validated_data),
        )


class ApproveSerializer(serializers.Serializer):
    safeguarding_policy = serializers.BooleanField()
    public_liability_insurance = serializers.BooleanField()
    insurance_expires_on = serializers.DateField(validators=[validate_event_date])
    dbs_checks = serializers.BooleanField()
    data_protection = serializers.BooleanField()
    complaints_procedure = serializers.BooleanField()
    accessibility = serializers.BooleanField()
    notes = serializers.CharField(
        max_length=NARRATIVE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    vetted_until = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_event_date]
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class IsStaff(has_role(*STAFF_ROLES)):  # type: ignore[misc]
    pass


class IsVetter(has_role(Role.VETTER)):  # type: ignore[misc]
    pass


_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Text search over name, description, provider."),
    OpenApiParameter("need_domain", str, enum=NeedDomain.values),
    OpenApiParameter("delivery_mode", str, enum=DeliveryMode.values),
    OpenApiParameter("free_only", bool),
    OpenApiParameter("age", int, description="Only services this age is eligible for."),
    OpenApiParameter("accepting_only", bool, description=f"Capacity is {Capacity.ACCEPTING}."),
]


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in {"1", "true", "yes", "on"}


@extend_schema_view(list=extend_schema(parameters=_FILTER_PARAMETERS))
class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff read the directory (vetters all of it, others only referable services); vetters
    create, edit and vet."""

    serializer_class = ServiceSerializer
    pagination_class = CountingPageNumberPagination
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list = []

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsStaff()]
        return [IsVetter()]

    def get_queryset(self):
        queryset = (
            services_visible_to(self.request.user)
            .select_related("provider")
            .prefetch_related("need_domains", "locations__opening_times")
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        age = params.get("age", "")
        if age and not age.isdigit():
            raise serializers.ValidationError({"age": "Enter a whole number."})
        return filter_services(
            queryset,
            DirectoryFilters(
                text=params.get("q", ""),
                need_domain=params.get("need_domain", ""),
                delivery_mode=params.get("delivery_mode", ""),
                free_only=_flag(self.request, "free_only"),
                age=int(age) if age else None,
                accepting_only=_flag(self.request, "accepting_only"),
            ),
        )

    def _respond(self, service):
        service = self.get_queryset().get(pk=service.pk)
        return Response(ServiceSerializer(service, context={"request": self.request}).data)

    @extend_schema(request=None, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        return self._respond(services.submit_service(by=request.user, service=self.get_object()))

    @extend_schema(request=ApproveSerializer, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, id=None):
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        service = services.approve_service(
            by=request.user,
            service=self.get_object(),
            checklist={name: data[name] for name in VettingReview.CHECKLIST},
            insurance_expires_on=data["insurance_expires_on"],
            notes=data["notes"],
            vetted_until=data["vetted_until"],
        )
        return self._respond(service)

    def _reasoned(self, request, transition):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            service = transition(
                by=request.user,
                service=self.get_object(),
                reason=payload.validated_data["reason"],
            )
        return self._respond(service)

    @extend_schema(request=ReasonSerializer, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        return self._reasoned(request, services.reject_service)

    @extend_schema(request=ReasonSerializer, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, id=None):
        return self._reasoned(request, services.suspend_service)

    @extend_schema(request=None, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, id=None):
        return self._respond(services.reinstate_service(by=request.user, service=self.get_object()))


class ProviderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProviderSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    queryset = Provider.objects.order_by("name", "pk")
    filter_backends: list = []

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsStaff()]
        return [IsVetter()]

    def perform_create(self, serializer):
        serializer.instance = services.create_provider(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_provider(
            by=self.request.user, provider=serializer.instance, **serializer.validated_data
        )
