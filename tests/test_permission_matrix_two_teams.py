"""The permission matrix for two teams sharing one patient.

One patient, referred by practice A to team X and by practice B to team Y, each case with its
own casework, messages and audit trail. Every patient-level route is called as each actor, and
the references that come back must be exactly the actor's own team's part: team X's manager
never sees team Y's referral, casework or audit events, and the other way round; only a
superuser sees both. Coordinators have no patient-level routes (403).
"""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Reminder, ReminderChannel, ReminderStatus
from coordinators import services as casework
from referrals import services as referral_services
from referrals.models import ContactMethod
from tests.factories import MembershipFactory, UserFactory
from tests.referrals.factories import PatientFactory, ReferralFactory

ROUTES = {
    "subject access page": lambda p: reverse("coordinators:subject-access", args=[p]),
    "subject access JSON": lambda p: reverse("coordinators:subject-access-json", args=[p]),
    "audit list": lambda p: reverse("accounts:audit-list") + f"?patient_id={p}",
    "audit export": lambda p: reverse("accounts:audit-export") + f"?patient_id={p}",
}
# Whose part of the shared patient each actor sees; None: the route is refused (403).
SEES = {
    "manager_x": {"x"},
    "manager_y": {"y"},
    "superuser": {"x", "y"},
    "coordinator_x": None,
    "coordinator_y": None,
}


def _case(*, patient, practice, referrer, team, coordinator, label):
    case = ReferralFactory(
        patient=patient,
        referring_practice=practice,
        referred_by=referrer,
        team=team,
        received_at=timezone.now() - datetime.timedelta(days=3),
    )
    referral_services.accept_referral(referral=case, by=coordinator)
    referral_services.record_first_contact(
        referral=case, by=coordinator, contacted_on=timezone.localdate(), method=ContactMethod.PHONE
    )
    case.refresh_from_db()
    conversation = casework.record_conversation(
        case=case,
        by=coordinator,
        held_on=timezone.localdate(),
        what_matters=f"What matters to team {label}'s case.",
    )
    casework.add_goal(
        case=case,
        by=coordinator,
        statement=f"Goal of team {label}.",
        need_domain="loneliness",
        conversation=conversation,
    )
    casework.record_case_viewed(case=case, by=coordinator)
    Reminder.objects.create(
        kind="review_due_patient",
        target_type="referral",
        target_id=str(case.pk),
        occurrence=f"message-{label}",
        recipient_key=f"patient:{patient.pk}",
        address="patient@test.example",
        channel=ReminderChannel.EMAIL,
        team=team,
        status=ReminderStatus.SENT,
        next_attempt_at=timezone.now(),
        context={"referral_reference": case.reference},
    )
    return case


@pytest.fixture
def manager_y(team_y):
    user = UserFactory(email="manager.y@test.example", first_name="Morgan")
    MembershipFactory(user=user, organisation=team_y, role="manager")
    return user


@pytest.fixture
def shared_patient(
    practice_a, practice_b, referrer_a, referrer_b, team_x, team_y, coordinator_x, coordinator_y
):
    """The patient and their two cases, by team label."""
    patient = PatientFactory(registered_practice=practice_a)
    cases = {
        "x": _case(
            patient=patient,
            practice=practice_a,
            referrer=referrer_a,
            team=team_x,
            coordinator=coordinator_x,
            label="X",
        ),
        "y": _case(
            patient=patient,
            practice=practice_b,
            referrer=referrer_b,
            team=team_y,
            coordinator=coordinator_y,
            label="Y",
        ),
    }
    return patient, cases


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def actors(manager, manager_y, superuser, coordinator_x, coordinator_y):
    return {
        "manager_x": manager,
        "manager_y": manager_y,
        "superuser": superuser,
        "coordinator_x": coordinator_x,
        "coordinator_y": coordinator_y,
    }


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("actor", SEES)
def test_each_actor_sees_only_their_own_team_s_part_of_a_shared_patient(
    route, actor, actors, shared_patient, client
):
    patient, cases = shared_patient
    client.force_login(actors[actor])

    response = client.get(ROUTES[route](patient.pk))

    if SEES[actor] is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = _body(response)
    for label, case in cases.items():
        shown = label in SEES[actor]
        assert (case.reference in body) is shown, f"{case.reference} of team {label}"
        if route.startswith("subject access"):
            assert (f"Goal of team {label.upper()}." in body) is shown


def test_a_manager_s_subject_access_json_holds_only_their_team_s_rows(
    client, manager, shared_patient
):
    patient, cases = shared_patient
    client.force_login(manager)

    body = json.loads(
        client.get(reverse("coordinators:subject-access-json", args=[patient.pk])).content
    )

    ours = cases["x"].pk
    assert [row["reference"] for row in body["referrals"]] == [cases["x"].reference]
    for key in ("referral_events", "case_events", "conversations", "goals"):
        assert body[key], key
        assert {row["referral_id"] for row in body[key]} == {ours}, key
    assert [m["team_id"] for m in body["messages"]] == [cases["x"].team_id]
    assert body["audit_events"]
    assert {e["team_id"] for e in body["audit_events"]} <= {cases["x"].team_id, None}
    assert all(e["actor_id"] != cases["y"].assigned_to_id for e in body["audit_events"])


def test_another_team_s_subject_access_export_does_not_show_in_a_manager_s_trail(
    client, manager, manager_y, shared_patient
):
    patient, _ = shared_patient
    client.force_login(manager_y)
    client.get(reverse("coordinators:subject-access-json", args=[patient.pk]))
    client.force_login(manager)

    response = client.get(reverse("accounts:audit-export"), {"patient_id": patient.pk})

    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert rows
    assert manager_y.email not in {row["actor_label"] for row in rows}
