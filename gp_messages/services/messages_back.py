"""Producing the message back at its moments, once each, with the GP-record codes."""

from django.db import transaction
from django.utils import timezone

from coordinators.models import Review
from coordinators.selectors import case_file
from referrals.models import Referral, ReferralStatus
from referrals.services import record_message_back_sent

from ..codes import REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED, CodedEntry
from ..content import message_sections
from ..models import MessageBack, MessageMoment, PracticeMessageSetting, PracticeReview


def codes_for(case: Referral, earlier: list[MessageBack]) -> list[CodedEntry]:
    """Each code once per episode: on the first message that can carry it, never again."""
    sent = {entry["code"] for message in earlier for entry in message.codes}
    codes = []
    if case.first_contact_at and REFERRAL_TO_SOCIAL_PRESCRIBING not in sent:
        codes.append(
            CodedEntry(
                REFERRAL_TO_SOCIAL_PRESCRIBING,
                timezone.localdate(case.first_contact_at).isoformat(),
            )
        )
    if case.status == ReferralStatus.PATIENT_DECLINED and SOCIAL_PRESCRIBING_DECLINED not in sent:
        ended = timezone.localdate(case.closed_at) if case.closed_at else timezone.localdate()
        codes.append(CodedEntry(SOCIAL_PRESCRIBING_DECLINED, ended.isoformat()))
    return codes


def practice_wants_progress_updates(practice_id: int) -> bool:
    return PracticeMessageSetting.objects.filter(
        practice_id=practice_id, progress_updates=True
    ).exists()


@transaction.atomic
def produce_message_back(
    *, case_id: int, moment: str, review_id: int | None = None
) -> MessageBack | None:
    """The message for this moment (first seen, a review, closure), made once: a second call
    (a retried task) returns the one already sent. A review's message only when the practice
    asked for progress updates."""
    case = Referral.objects.select_for_update().get(pk=case_id)
    case = Referral.objects.select_related("patient", "team", "assigned_to").get(pk=case.pk)
    review = Review.objects.get(pk=review_id, referral=case) if review_id else None
    if moment == MessageMoment.REVIEW and not practice_wants_progress_updates(
        case.referring_practice_id
    ):
        return None
    existing = MessageBack.objects.filter(referral=case, moment=moment, review=review).first()
    if existing is not None:
        return existing
    earlier = list(MessageBack.objects.filter(referral=case))
    since = max((message.sent_at for message in earlier), default=None)
    practice_reviews = PracticeReview.objects.filter(referral=case)
    if since is not None:
        practice_reviews = practice_reviews.filter(recorded_at__gt=since)
    message = MessageBack.objects.create(
        referral=case,
        moment=moment,
        review=review,
        sections=message_sections(
            case_file(case), moment=moment, practice_reviews=list(practice_reviews)
        ),
        codes=[
            {"code": entry.code, "display": entry.display, "on": entry.on}
            for entry in codes_for(case, earlier)
        ],
        sent_at=timezone.now(),
    )
    # The practice's system sees it: its polling (the referral changed) and its Subscription
    # (the interop sweep reads the new MessageBack row, as it reads the status events).
    record_message_back_sent(referral_id=case.pk, sent_at=message.sent_at)
    return message
