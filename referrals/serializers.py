from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.input_limits import ADDRESS_MAX_LENGTH, NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH
from community_services.need_domains import NeedDomain

from .models import (
    DETAILS_FIELDS,
    PRACTICE_SOURCES,
    ClosureOutcome,
    ContactMethod,
    ContactOutcome,
    DeclineReason,
    EthnicCategory,
    Referral,
    ReferralSource,
    ServiceDeclineReason,
    ServiceReferral,
    ServiceReferralStatus,
    Urgency,
    validate_date_of_birth,
)
from .nhs_number import normalise, validate_nhs_number


class NHSNumberField(serializers.CharField):
    def to_internal_value(self, data):
        value = normalise(super().to_internal_value(data))
        validate_nhs_number(value)  # the serializer reports its ValidationError on the field
        return value


class PatientInputSerializer(serializers.Serializer):
    nhs_number = NHSNumberField(max_length=14)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    sex_or_gender = serializers.CharField(max_length=50, required=False, allow_blank=True)
    ethnic_category = serializers.ChoiceField(
        choices=EthnicCategory.choices,
        required=False,
        allow_blank=True,
        help_text="Optional NHS ethnic category code (A to S; Z: the patient chose not to "
        "say; blank or absent: not asked). Only a new patient's record takes it: a known "
        "patient's record is never changed by a referral.",
    )
    address = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    preferred_contact_method = serializers.ChoiceField(
        choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    interpreter_needed = serializers.BooleanField(default=False)
    language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    accessible_formats = serializers.CharField(max_length=200, required=False, allow_blank=True)
    consent_to_referral = serializers.BooleanField()
    consent_to_share = serializers.BooleanField(default=False)
    consent_to_sms = serializers.BooleanField(default=False)
    consent_to_email = serializers.BooleanField(default=False)

    def validate_date_of_birth(self, value):
        validate_date_of_birth(value)
        return value

    def validate_consent_to_referral(self, value):
        if not value:
            raise serializers.ValidationError("The patient must consent to be referred.")
        return value


class ReferralCreateSerializer(serializers.Serializer):
    patient = PatientInputSerializer()
    reasons = serializers.MultipleChoiceField(choices=NeedDomain.choices, allow_empty=False)
    help_wanted = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    # A declared field (the metaclass takes it off the class), not Field.source.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[(value, ReferralSource(value).label) for value in PRACTICE_SOURCES],
        default=ReferralSource.GP,
        help_text="Who at the practice is making the referral.",
    )
    risk_flag = serializers.BooleanField(default=False)
    risk_notes = serializers.CharField(
        max_length=NARRATIVE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    access_needs = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )

    def validate_reasons(self, value):
        return sorted(value)

    def validate(self, attrs):
        if attrs.get("risk_flag") and not attrs.get("risk_notes", "").strip():
            raise serializers.ValidationError(
                {"risk_notes": "Describe the risk or safeguarding concern."}
            )
        return attrs


class PatientSerializer(serializers.Serializer):
    """The receiving team gets the patient's record; the referring practice gets what was said
    on the referral (and no record id, which would tell it whether the number was known)."""

    id = serializers.IntegerField(allow_null=True)
    nhs_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class ReferralSerializer(serializers.ModelSerializer):
    patient = serializers.SerializerMethodField()
    referring_practice = serializers.CharField(source="referring_practice.name")
    referred_by = serializers.CharField(source="referred_by.display_name")
    team = serializers.CharField(source="team.name")
    assigned_coordinator = serializers.SerializerMethodField()
    # Blank until declined or closed: said explicitly so the schema allows "" (read-only model
    # fields lose allow_blank).
    decline_reason = serializers.ChoiceField(
        choices=DeclineReason.choices, allow_blank=True, read_only=True
    )
    outcome = serializers.ChoiceField(
        choices=ClosureOutcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "patient",
            "referring_practice",
            "referred_by",
            "team",
            "assigned_coordinator",
            "reasons",
            "help_wanted",
            "urgency",
            "source",
            "risk_flag",
            "risk_notes",
            "access_needs",
            "decline_reason",
            "outcome",
            "outcome_summary",
            "received_at",
            "accepted_at",
            "first_contact_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PatientSerializer)
    def get_patient(self, referral) -> dict | None:
        request = self.context.get("request")
        if request is not None and request.user.is_team_member(referral.team_id):
            return PatientSerializer(referral.patient).data
        details = getattr(referral, "patient_details", None)
        if details is None:
            return None
        return {**PatientSerializer(details).data, "id": None}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_coordinator(self, referral) -> str | None:
        """The name only: referrers need to know who, not how to reach them here."""
        return referral.assigned_to.display_name if referral.assigned_to else None


class ContactAttemptSerializer(serializers.Serializer):
    attempted_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class DetailsDecisionSerializer(serializers.Serializer):
    copy = serializers.ListField(
        child=serializers.ChoiceField(choices=DETAILS_FIELDS),
        allow_empty=True,
        help_text="Which of the referral's differing details to copy into the patient's record; "
        "empty keeps the record as it is.",
    )


class RegisteredPracticeSerializer(serializers.Serializer):
    practice = serializers.UUIDField(help_text="The public id of the patient's new GP practice.")


class AcceptSerializer(serializers.Serializer):
    assign_to = serializers.IntegerField(
        required=False, help_text="User id of a coordinator in the team; yourself by default."
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class FirstContactSerializer(serializers.Serializer):
    contacted_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class UnableToContactSerializer(serializers.Serializer):
    attempts = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        help_text="Deprecated: record each attempt (contact-attempts) and the closure cites them. "
        "A bare count is used only when no attempt was recorded.",
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class PatientDeclinedSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ServiceReferralPatientSerializer(serializers.Serializer):
    """The minimum a provider needs: who, and how to reach them."""

    given_name = serializers.CharField()
    family_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    preferred_contact_method = serializers.ChoiceField(choices=ContactMethod.choices)


class ServiceReferralSerializer(serializers.ModelSerializer):
    referral = serializers.CharField(source="referral.reference")
    service = serializers.UUIDField(source="service.public_id")
    service_name = serializers.CharField(source="service.name")
    provider_name = serializers.CharField(source="service.provider.name")
    patient = ServiceReferralPatientSerializer(source="referral.patient")
    access_needs = serializers.CharField(source="referral.access_needs")
    coordinator = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ServiceReferralStatus.choices)
    decline_reason = serializers.ChoiceField(choices=ServiceDeclineReason.choices, allow_blank=True)

    class Meta:
        model = ServiceReferral
        fields = [
            "id",
            "referral",
            "service",
            "service_name",
            "provider_name",
            "status",
            "patient",
            "provider_needs_to_know",
            "access_needs",
            "coordinator",
            "decline_reason",
            "sent_at",
            "accepted_at",
            "declined_at",
            "attended_at",
            "did_not_attend_at",
            "completed_at",
            "withdrawn_at",
            "no_response_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "team": {"type": "string"},
                "email": {"type": "string"},
                "phone": {"type": "string"},
            },
        }
    )
    def get_coordinator(self, service_referral) -> dict:
        coordinator = service_referral.referred_by
        return {
            "name": coordinator.display_name,
            "team": service_referral.referral.team.name,
            "email": coordinator.email,
            "phone": coordinator.phone,
        }


class ServiceReferralCreateSerializer(serializers.Serializer):
    referral = serializers.CharField(
        max_length=20, help_text="The referral's reference, e.g. SP-7KQ3M9XZ."
    )
    service = serializers.UUIDField(help_text="The service's public id from /api/v1/services/.")
    provider_needs_to_know = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH)


class ServiceDeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ServiceDeclineReason.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ServiceReferralNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
