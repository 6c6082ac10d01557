import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from coordinators import services
from coordinators.models import Goal, GoalStatus, WhatMattersConversation
from referrals.models import ClosureOutcome, Patient, Referral, ReferralStatus

NINE_YEARS = datetime.timedelta(days=9 * 365)


def closed_case(case, coordinator, *, ended_ago=NINE_YEARS):
    """Close a case with a conversation and a goal, then age it."""
    services.record_conversation(
        case=case,
        by=coordinator,
        held_on=timezone.localdate(),
        what_matters="Seeing my grandson Idris on Sundays.",
    )
    goal = services.add_goal(
        case=case, by=coordinator, statement="Walk to the park with Idris", need_domain="loneliness"
    )
    services.close_case(
        case=case,
        by=coordinator,
        outcome=ClosureOutcome.GOALS_MET,
        summary="Ianto now goes to the walking group.",
        goal_statuses={goal.pk: GoalStatus.ACHIEVED},
    )
    Referral.objects.filter(pk=case.pk).update(closed_at=timezone.now() - ended_ago)
    case.refresh_from_db()
    return case


@pytest.fixture
def old_case(case, coordinator_x):
    return closed_case(case, coordinator_x)


def test_anonymising_removes_identifiers_and_free_text_but_keeps_what_reports_count(old_case):
    patient = old_case.patient
    born = patient.date_of_birth

    run = services.anonymise_closed_cases()

    assert run.references == [old_case.reference]
    assert run.patients == 1
    old_case.refresh_from_db()
    patient.refresh_from_db()
    assert patient.nhs_number is None
    assert (patient.given_name, patient.family_name, patient.phone) == ("Anonymised", "patient", "")
    assert patient.date_of_birth == datetime.date(born.year, 1, 1)
    assert old_case.help_wanted == "[anonymised]"
    assert old_case.outcome_summary == "" and old_case.access_needs == ""
    assert old_case.status == ReferralStatus.CLOSED
    assert old_case.outcome == ClosureOutcome.GOALS_MET
    assert old_case.reasons == ["loneliness"]
    assert old_case.received_at is not None and old_case.closed_at is not None
    goal = Goal.objects.get(referral=old_case)
    assert (goal.statement, goal.status, goal.need_domain) == (
        "[anonymised]",
        GoalStatus.ACHIEVED,
        "loneliness",
    )
    assert WhatMattersConversation.objects.get(referral=old_case).what_matters == "[anonymised]"
    assert AuditEvent.objects.filter(action="case_anonymised", object_id=str(old_case.pk)).exists()
    assert AuditEvent.objects.filter(
        action="patient_anonymised", patient_id=str(patient.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="retention_anonymised").count() == 1


def test_anonymising_twice_changes_nothing_the_second_time(old_case):
    services.anonymise_closed_cases()
    events = AuditEvent.objects.count()

    run = services.anonymise_closed_cases()

    assert run.references == [] and run.patients == 0
    assert AuditEvent.objects.count() == events + 1  # only the run itself


def test_cases_within_retention_and_open_cases_are_left_alone(case, coordinator_x, settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 2922
    recent = closed_case(case, coordinator_x, ended_ago=datetime.timedelta(days=2900))

    assert services.anonymise_closed_cases().references == []
    recent.refresh_from_db()
    assert "Ianto now goes to the walking group." in recent.outcome_summary
    assert recent.patient.nhs_number


def test_a_patient_with_another_referral_still_held_keeps_their_identifiers(
    old_case, practice_a, referrer_a, team_x
):
    from tests.referrals.factories import ReferralFactory

    ReferralFactory(
        patient=old_case.patient, referring_practice=practice_a, referred_by=referrer_a, team=team_x
    )

    run = services.anonymise_closed_cases()

    assert run.references == [old_case.reference]
    assert run.patients == 0
    assert Patient.objects.get(pk=old_case.patient_id).nhs_number == old_case.patient.nhs_number


def test_the_command_dry_run_lists_cases_and_changes_nothing(old_case, capsys):
    call_command("anonymise_closed_cases", "--dry-run")

    out = capsys.readouterr().out
    assert "Would anonymise 1 cases and 1 patients" in out
    assert old_case.reference in out
    old_case.refresh_from_db()
    assert old_case.anonymised_at is None
    assert not AuditEvent.objects.filter(action="case_anonymised").exists()


def test_the_command_anonymises(old_case, capsys):
    call_command("anonymise_closed_cases")

    assert "Anonymised 1 cases and 1 patients" in capsys.readouterr().out
    old_case.refresh_from_db()
    assert old_case.anonymised_at is not None


# --- Subject access


def test_a_manager_downloads_everything_held_about_a_patient_as_json(case, client, manager):
    client.force_login(manager)

    response = client.get(f"/patients/{case.patient_id}/subject-access.json")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["patient"][0]["nhs_number"] == case.patient.nhs_number
    assert [r["reference"] for r in body["referrals"]] == [case.reference]
    assert {e["to_status"] for e in body["referral_events"]} >= {"received", "accepted"}
    assert any(e["action"] == "referral_accepted" or e["patient_id"] for e in body["audit_events"])
    for key in (
        "conversations",
        "goals",
        "plan_actions",
        "reviews",
        "measures",
        "service_referrals",
    ):
        assert key in body
    assert AuditEvent.objects.filter(
        action="subject_access_export", patient_id=str(case.patient_id), actor=manager
    ).exists()
    assert "no-store" in response["Cache-Control"]


def test_the_readable_subject_access_page_shows_every_section(
    case, client, manager, coordinator_x, django_assert_num_queries
):
    services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="My garden."
    )
    client.force_login(manager)
    url = f"/patients/{case.patient_id}/subject-access/"
    client.get(url)

    with django_assert_num_queries(22):
        page = client.get(url).content.decode()

    assert "Everything we hold about" in page
    assert "My garden." in page
    assert 'data-testid="section-audit_events"' in page
    assert "css/print.css" in page
    assert AuditEvent.objects.filter(action="subject_access_export").count() == 2


def test_subject_access_is_for_managers_of_the_team_and_superusers_only(
    case, client, coordinator_x, referrer_a, superuser, other_team_case, manager
):
    url = f"/patients/{case.patient_id}/subject-access.json"
    for user in (coordinator_x, referrer_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(manager)
    assert (
        client.get(f"/patients/{other_team_case.patient_id}/subject-access.json").status_code == 404
    )
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_the_subject_access_page_reads_as_plain_english_with_labels_and_dates(
    case, client, manager
):
    client.force_login(manager)

    page = client.get(f"/patients/{case.patient_id}/subject-access/").content.decode()

    assert "the right to see the information held about them" in page
    assert "Date of birth" in page
    assert case.patient.date_of_birth.strftime("%-d %B %Y") in page
    assert "date_of_birth" not in page and "given_name" not in page
    assert "Record number" in page
    assert (
        'href="/static/css/print.css" media="print"' in page or 'print.css" media="print"' in page
    )


def test_the_subject_access_page_shows_a_choice_by_its_label_not_its_stored_value(
    case, client, manager
):
    client.force_login(manager)

    page = client.get(f"/patients/{case.patient_id}/subject-access/").content.decode()

    assert Referral.objects.get(pk=case.pk).get_status_display() in page
    assert f">{case.status}<" not in page
