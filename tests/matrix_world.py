"""One world for the permission matrix and the audit walk: everything belongs to practice A and
team X (a case with its casework, an onward referral to the provider organisation's service with
a signed link, a notification and a failed reminder), and the whole cast exists to look at it."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from accounts.models import Reminder, ReminderChannel, ReminderStatus, User
from accounts.services import notify
from casefinding.models import CaseFindingUpload, OutreachEntry
from community_services.hsds import TAXONOMIES, TERMS_BY_CODE
from community_services.models import Provider, Service
from coordinators import services as casework
from coordinators.models import Goal, PlanAction, Review, WellbeingMeasure, WhatMattersConversation
from gp_messages.models import MessageBack, MessageMoment
from gp_messages.services import flag_for_practice_discussion, produce_message_back
from interop.services import register_client
from referrals import provider_links
from referrals import services as referral_services
from referrals.models import ContactMethod, Referral, ServiceReferral
from reports.models import MonthlySnapshot
from tests.community_services.factories import (
    ApprovedServiceFactory,
    LocationFactory,
    ProviderFactory,
)
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

ONS4_ANSWERS = {"life_satisfaction": 4, "worthwhile": 6, "happiness": 5, "anxiety": 7}


@dataclasses.dataclass
class World:
    case: Referral
    conversation: WhatMattersConversation
    goal: Goal
    measure: WellbeingMeasure
    plan_action: PlanAction
    review: Review
    service: Service
    provider: Provider
    service_referral: ServiceReferral
    link_token: str
    notification_id: int
    reminder: Reminder
    coordinator: User
    upload: CaseFindingUpload
    outreach_entry: OutreachEntry
    message_back: MessageBack
    snapshot: MonthlySnapshot
    fhir_client_id: int

    @property
    def patient_id(self) -> int:
        return self.case.patient_id


def build_world(*, practice_a, referrer_a, team_x, coordinator_x, provider_org) -> World:
    TeamCoverageFactory(practice=practice_a, team=team_x)
    case = ReferralFactory.create(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        received_at=timezone.now() - datetime.timedelta(days=3),
        patient__consent_to_share=True,
        patient__email="patient@test.example",
    )
    referral_services.accept_referral(referral=case, by=coordinator_x)
    referral_services.record_first_contact(
        referral=case,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    case.refresh_from_db()
    conversation = casework.record_conversation(
        case=case,
        by=coordinator_x,
        held_on=timezone.localdate(),
        what_matters="Getting out of the house and seeing people.",
    )
    goal = casework.add_goal(
        case=case,
        by=coordinator_x,
        statement="Go to a group once a week.",
        need_domain="loneliness",
        conversation=conversation,
    )
    measure = casework.record_measure(
        case=case, by=coordinator_x, instrument="ons4", occasion="baseline", answers=ONS4_ANSWERS
    )
    plan_action = casework.add_plan_action(
        case=case, by=coordinator_x, goal=goal, description="Try the lunch club.", owner="patient"
    )
    review = casework.schedule_review(
        case=case,
        by=coordinator_x,
        scheduled_for=timezone.now() + datetime.timedelta(days=14),
        mode="phone",
    )
    provider = ProviderFactory.create(name="Provider Org", organisation=provider_org)
    service = ApprovedServiceFactory.create(
        name="Tuesday Lunch Club", provider=provider, email="referrals@lunch.example"
    )
    LocationFactory.create(service=service)  # so the feed has a service at a location
    service_referral = referral_services.create_service_referral(
        referral=case,
        service=service,
        by=coordinator_x,
        provider_needs_to_know="Would love company at lunch.",
    )
    link_token = provider_links.token_for(service_referral.links.get())
    notification = notify(
        recipient=coordinator_x,
        verb="referral_waiting",
        message="A referral is waiting.",
        link=f"/referrals/{case.reference}/",
    )
    reminder = Reminder.objects.create(
        kind="referral_waiting",
        target_type="referral",
        target_id=str(case.pk),
        occurrence="triage",
        recipient=coordinator_x,
        recipient_key=f"user:{coordinator_x.pk}",
        address=coordinator_x.email,
        channel=ReminderChannel.EMAIL,
        team=team_x,
        status=ReminderStatus.FAILED,
        attempts=5,
        next_attempt_at=timezone.now(),
        last_error="Connection refused",
    )
    # Case-finding: practice A's lead (referrer A) uploaded a list naming the world's patient.
    upload = CaseFindingUpload.objects.create(
        practice=practice_a, team=team_x, uploaded_by=referrer_a, file_name="list.csv"
    )
    outreach_entry = OutreachEntry.objects.create(
        upload=upload, practice=practice_a, team=team_x, patient=case.patient
    )
    message_back = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    assert message_back is not None
    # On practice A's list of cases to discuss at its multidisciplinary meeting.
    flag_for_practice_discussion(case=case, by=coordinator_x, reason="Housing worries.")
    snapshot = MonthlySnapshot.objects.create(
        team=team_x,
        month=datetime.date(2025, 4, 1),
        built_at=timezone.now(),
        code_version="test",
        definitions={},
        tables={"pages": {}, "capacity": {}},
    )
    return World(
        upload=upload,
        outreach_entry=outreach_entry,
        snapshot=snapshot,
        case=case,
        conversation=conversation,
        goal=goal,
        measure=measure,
        plan_action=plan_action,
        review=review,
        service=service,
        provider=provider,
        service_referral=service_referral,
        link_token=link_token,
        notification_id=notification.pk,
        reminder=reminder,
        coordinator=coordinator_x,
        message_back=message_back,
        fhir_client_id=register_client(organisation=practice_a, name="Matrix", by=None).client.pk,
    )


def url_parameters(world: World) -> dict[str, object]:
    """Values for the URL parameters that name one object (pk/id are per route: see OBJECTS)."""
    return {
        "reference": world.case.reference,
        "patient_id": world.case.patient_id,
        "goal_id": world.goal.pk,
        "action_id": world.plan_action.pk,
        "review_id": world.review.pk,
        "instrument": "ons4",
        "token": world.link_token,
        "service_id": world.service.public_id,
        "public_id": world.service.public_id,
        "user_id": world.coordinator.pk,
        "membership_id": 0,  # none: the role check comes first, then a 404
        "notification_id": world.notification_id,
        "reminder_id": world.reminder.pk,
        "format": "json",
        "message_id": world.message_back.public_id,
        # The HSDS feed's ids of the world's published records.
        "taxonomy_id": TAXONOMIES["need_domains"].id,
        "term_id": TERMS_BY_CODE[("need_domains", "loneliness")].id,
        "organization_id": world.service.provider.public_id,
        "service_at_location_id": world.service.locations.get().service_at_location_id,
        "location_id": world.service.locations.get().public_id,
        "observation_id": world.measure.pk,
        "unknown": "no-such-thing",
        "slug": "referrals",
        "kind": "caseload",
        "system_id": "need-domains",
        "organisation_id": world.case.referring_practice.public_id,
        "client_id": world.fhir_client_id,
        "subscription_id": 0,
    }


def object_key(world: World, name: str) -> object:
    """The primary key an `obj=` entry of the matrix stands for."""
    return {
        "case": world.case.pk,
        "conversation": world.conversation.pk,
        "goal": world.goal.pk,
        "measure": world.measure.pk,
        "plan_action": world.plan_action.pk,
        "review": world.review.pk,
        "service_referral": world.service_referral.pk,
        "service": world.service.public_id,
        "provider": world.provider.public_id,
        "hsds_service": world.service.public_id,
        "upload": world.upload.pk,
        "outreach_entry": world.outreach_entry.pk,
        "snapshot": world.snapshot.pk,
    }[name]


@pytest.fixture(name="world")
def world_fixture(practice_a, referrer_a, team_x, coordinator_x, provider_org, cast, superuser):
    return build_world(
        practice_a=practice_a,
        referrer_a=referrer_a,
        team_x=team_x,
        coordinator_x=coordinator_x,
        provider_org=provider_org,
    )
