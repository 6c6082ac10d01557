from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH
from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome, Referral
from referrals.serializers import ServiceReferralSerializer

from . import measures
from .models import (
    ActionOwner,
    Goal,
    GoalPriority,
    GoalProgress,
    GoalStatus,
    MeasureOccasion,
    PlanAction,
    PlanActionStatus,
    Review,
    ReviewMode,
    WellbeingMeasure,
    WhatMattersConversation,
)

INSTRUMENT_CHOICES = [(code, instrument.name) for code, instrument in measures.INSTRUMENTS.items()]


class CasePatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nhs_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    consent_to_referral = serializers.BooleanField()
    consent_to_share = serializers.BooleanField()
    consent_to_sms = serializers.BooleanField()
    consent_to_email = serializers.BooleanField()
    interpreter_needed = serializers.BooleanField()
    language = serializers.CharField()
    accessible_formats = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    patient = CasePatientSerializer()
    team = serializers.CharField(source="team.name")
    assigned_coordinator = serializers.SerializerMethodField()
    next_review_at = serializers.DateTimeField(allow_null=True, read_only=True)
    # Blank until closed: said explicitly so the schema allows "".
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
            "team",
            "assigned_coordinator",
            "reasons",
            "help_wanted",
            "risk_flag",
            "risk_notes",
            "access_needs",
            "accepted_at",
            "first_contact_at",
            "next_review_at",
            "outcome",
            "outcome_summary",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_coordinator(self, case) -> str | None:
        return case.assigned_to.display_name if case.assigned_to else None


class TimelineEntrySerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    source = serializers.CharField()  # type: ignore[assignment]
    text = serializers.CharField()
    actor = serializers.CharField()
    note = serializers.CharField()


class ReassignSerializer(serializers.Serializer):
    to = serializers.IntegerField(help_text="User id of a coordinator in the case's team.")
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class MeasureInputSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=INSTRUMENT_CHOICES)
    answers = serializers.DictField(child=serializers.IntegerField())


class ReferOnSerializer(serializers.Serializer):
    service = serializers.UUIDField(help_text="The service's public id from /api/v1/services/.")
    goals = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        help_text="Ids of the case's active goals this referral is for; the plan action is for "
        "the first.",
    )
    provider_needs_to_know = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ReferOnResultSerializer(serializers.Serializer):
    plan_action = serializers.IntegerField(help_text="The plan action's id.")
    service_referral = ServiceReferralSerializer()


class CloseCaseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ClosureOutcome.choices)
    summary = serializers.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        help_text="The next steps, in plain language; the rest of the summary is drafted.",
    )
    goal_statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=GoalStatus.choices),
        required=False,
        default=dict,
        help_text="Goal id → final status, for every goal still active.",
    )
    closing_measures = MeasureInputSerializer(many=True, required=False, default=list)
    outcome_reason = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="Why the outcome differs from how the goals went, when it does.",
    )

    def validate_goal_statuses(self, value):
        try:
            return {int(key): status for key, status in value.items()}
        except ValueError as exc:
            raise serializers.ValidationError("Keys must be goal ids.") from exc


class ConversationSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="referral_id")

    class Meta:
        model = WhatMattersConversation
        fields = [
            "id",
            "case",
            "held_on",
            "what_matters",
            "what_is_hard",
            "enjoys_and_good_at",
            "who_is_there",
            "three_months",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]


class GoalProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalProgress
        fields = ["rating", "note", "review", "recorded_at"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="referral_id")
    progress = GoalProgressSerializer(many=True, read_only=True)
    need_domain = serializers.ChoiceField(choices=NeedDomain.choices)
    priority = serializers.ChoiceField(choices=GoalPriority.choices, default=GoalPriority.MEDIUM)

    class Meta:
        model = Goal
        fields = [
            "id",
            "case",
            "statement",
            "need_domain",
            "priority",
            "target_date",
            "status",
            "progress",
            "created_at",
        ]
        read_only_fields = ["id", "status", "progress", "created_at"]


class GoalStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=GoalStatus.choices)


class WellbeingMeasureSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="referral_id")
    instrument = serializers.ChoiceField(choices=INSTRUMENT_CHOICES)
    occasion = serializers.ChoiceField(
        choices=[(MeasureOccasion.BASELINE, "Baseline"), (MeasureOccasion.REVIEW, "Review")],
        help_text="Closing measures are taken when the case closes.",
    )
    answers = serializers.DictField(child=serializers.IntegerField())
    bands = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WellbeingMeasure
        fields = [
            "id",
            "case",
            "instrument",
            "occasion",
            "review",
            "answers",
            "raw_total",
            "metric_score",
            "bands",
            "taken_on",
            "recorded_at",
        ]
        read_only_fields = ["id", "review", "raw_total", "metric_score", "bands", "recorded_at"]
        extra_kwargs = {"taken_on": {"required": False}}


class PlanActionSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="referral_id")
    goal = serializers.IntegerField(source="goal_id")
    owner = serializers.ChoiceField(choices=ActionOwner.choices)
    status = serializers.ChoiceField(choices=PlanActionStatus.choices, required=False)
    current_status = serializers.ChoiceField(
        choices=PlanActionStatus.choices,
        read_only=True,
        help_text="What to show: an onward referral's action follows the referral's status.",
    )
    service_referral = serializers.IntegerField(
        source="service_referral_id",
        read_only=True,
        allow_null=True,
        help_text="The onward referral (/api/v1/service-referrals/{id}/) this action is, if any.",
    )

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "case",
            "goal",
            "description",
            "owner",
            "owner_detail",
            "due_date",
            "status",
            "current_status",
            "service_referral",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ReviewSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="referral_id")
    mode = serializers.ChoiceField(choices=ReviewMode.choices)

    class Meta:
        model = Review
        fields = [
            "id",
            "case",
            "scheduled_for",
            "mode",
            "with_whom",
            "status",
            "notes",
            "continue_case",
            "recorded_at",
            "held_at",
        ]
        read_only_fields = ["id", "status", "notes", "continue_case", "recorded_at", "held_at"]


class RescheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=ReviewMode.choices)
    with_whom = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class GoalRatingSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=0, max_value=10)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class RecordReviewSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=NARRATIVE_MAX_LENGTH)
    ratings = GoalRatingSerializer(many=True, required=False, default=list)
    measure = MeasureInputSerializer(required=False, allow_null=True, default=None)
    continue_case = serializers.BooleanField()
    next_review_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When continuing; by default REVIEW_INTERVAL_DAYS after this review.",
    )
    next_mode = serializers.ChoiceField(
        choices=ReviewMode.choices, required=False, allow_null=True, default=None
    )
    held_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the review really happened; by default now. Never in the future.",
    )


class RecordedReviewSerializer(serializers.Serializer):
    review = ReviewSerializer()
    next_review = ReviewSerializer(allow_null=True)
