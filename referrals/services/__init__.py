"""Every write to patients and referrals, one module per step of the journey:

intake (a practice refers), patient_details (the team reconciles the record), triage (one
function per status change), referrer_messages (telling the referrer: a notice, and an email
reminder), consent (to share with services), onward (onward referrals, one function per status
change), provider_emails (the provider's signed link, emailed as a reminder), attendance (did
the patient go?), sweeps (reminders run by beat) and read_audit (who read what). guards holds
the team check and the row locks they share."""

from .attendance import record_patient_reported_attendance, sweep_attendance_check
from .consent import record_consent_to_share
from .contact_attempts import attempts_summary, check_attempt, record_contact_attempt
from .identity import confirm_identity
from .intake import (
    PATIENT_FIELDS,
    REFERRAL_DETAILS_FIELDS,
    REFERRAL_FIELDS,
    ReceivedReferral,
    receive_referral,
)
from .onward import (
    NO_CONSENT_MESSAGE,
    accept_service_referral,
    answer_service_referral,
    complete_service_referral,
    create_service_referral,
    decline_service_referral,
    mark_no_response,
    record_service_attended,
    record_service_did_not_attend,
    withdraw_service_referral,
)
from .patient_details import change_registered_practice, resolve_details_difference
from .provider_emails import send_fresh_provider_link
from .read_audit import (
    record_attendance_question_opened,
    record_patient_search,
    record_patient_viewed,
    record_provider_link_opened,
    record_referral_list_viewed,
    record_referral_viewed,
    record_service_referral_list_viewed,
    record_service_referral_viewed,
)
from .referrer_information import add_referral_information
from .referrer_messages import record_message_back_sent, referrer_notice
from .self_referral import public_form_user, receive_self_referral, source_for_signed_in
from .sweeps import (
    patient_recipient,
    send_provider_reminder_link,
    sweep_onward_service_expired,
    sweep_provider_not_answering,
    sweep_referral_waiting,
)
from .triage import (
    accept_referral,
    change_referral,
    close_referral,
    decline_referral,
    record_first_contact,
    record_patient_declined,
    record_unable_to_contact,
)

__all__ = [
    "add_referral_information",
    "change_referral",
    "NO_CONSENT_MESSAGE",
    "PATIENT_FIELDS",
    "REFERRAL_DETAILS_FIELDS",
    "REFERRAL_FIELDS",
    "ReceivedReferral",
    "accept_referral",
    "accept_service_referral",
    "attempts_summary",
    "check_attempt",
    "confirm_identity",
    "public_form_user",
    "receive_self_referral",
    "record_contact_attempt",
    "record_message_back_sent",
    "answer_service_referral",
    "change_registered_practice",
    "close_referral",
    "complete_service_referral",
    "create_service_referral",
    "decline_referral",
    "decline_service_referral",
    "mark_no_response",
    "patient_recipient",
    "receive_referral",
    "record_attendance_question_opened",
    "record_consent_to_share",
    "record_first_contact",
    "record_patient_declined",
    "record_patient_reported_attendance",
    "record_patient_search",
    "record_patient_viewed",
    "record_provider_link_opened",
    "record_referral_list_viewed",
    "record_referral_viewed",
    "record_service_attended",
    "record_service_did_not_attend",
    "record_service_referral_list_viewed",
    "record_service_referral_viewed",
    "record_unable_to_contact",
    "referrer_notice",
    "resolve_details_difference",
    "send_fresh_provider_link",
    "send_provider_reminder_link",
    "source_for_signed_in",
    "sweep_attendance_check",
    "sweep_onward_service_expired",
    "sweep_provider_not_answering",
    "sweep_referral_waiting",
    "withdraw_service_referral",
]
