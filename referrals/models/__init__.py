"""The referrals app's models, one module per topic; Django finds them through this package.

Migrations name `referrals.models.validate_date_of_birth` and `referrals.models.new_reference`,
so both stay importable from here."""

from common.input_limits import validate_date_of_birth

from .contact_attempts import ContactAttempt, ContactOutcome
from .idempotency import IdempotencyKey
from .onward import (
    AWAITING_ANSWER_STATUSES,
    FINAL_SERVICE_REFERRAL_STATUSES,
    PATIENT_ANSWERABLE_STATUSES,
    PROVIDER_ACTIONS,
    SERVICE_REFERRAL_MACHINE,
    PatientAttendanceAnswer,
    ProviderLink,
    ProviderLinkPurpose,
    ServiceDeclineReason,
    ServiceReferral,
    ServiceReferralAction,
    ServiceReferralEvent,
    ServiceReferralQuerySet,
    ServiceReferralStatus,
)
from .patient_details import DETAILS_FIELDS, DetailsDifference, ReferralPatientDetails
from .patients import ContactMethod, EthnicCategory, Patient, TeamCoverage
from .referrals import (
    CASE_STATUSES,
    OPEN_CASE_STATUSES,
    OPEN_STATUSES,
    PRACTICE_SOURCES,
    PUBLIC_SOURCES,
    REFERRAL_MACHINE,
    ClosureOutcome,
    DeclineReason,
    Referral,
    ReferralAction,
    ReferralEvent,
    ReferralQuerySet,
    ReferralSource,
    ReferralStatus,
    Urgency,
    new_reference,
)
from .referrer_information import ReferralInformation

__all__ = [
    "AWAITING_ANSWER_STATUSES",
    "ClosureOutcome",
    "ContactAttempt",
    "ReferralInformation",
    "ContactOutcome",
    "ContactMethod",
    "DETAILS_FIELDS",
    "DeclineReason",
    "EthnicCategory",
    "DetailsDifference",
    "FINAL_SERVICE_REFERRAL_STATUSES",
    "IdempotencyKey",
    "CASE_STATUSES",
    "OPEN_CASE_STATUSES",
    "OPEN_STATUSES",
    "PATIENT_ANSWERABLE_STATUSES",
    "PRACTICE_SOURCES",
    "PUBLIC_SOURCES",
    "PROVIDER_ACTIONS",
    "REFERRAL_MACHINE",
    "Patient",
    "PatientAttendanceAnswer",
    "ProviderLink",
    "ProviderLinkPurpose",
    "Referral",
    "ReferralAction",
    "ReferralEvent",
    "ReferralPatientDetails",
    "ReferralQuerySet",
    "ReferralStatus",
    "SERVICE_REFERRAL_MACHINE",
    "ServiceDeclineReason",
    "ServiceReferral",
    "ServiceReferralAction",
    "ServiceReferralEvent",
    "ServiceReferralQuerySet",
    "ServiceReferralStatus",
    "TeamCoverage",
    "ReferralSource",
    "Urgency",
    "new_reference",
    "validate_date_of_birth",
]
