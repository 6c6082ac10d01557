"""Every date is bounded to a plausible window (common.input_limits): a date of birth in the last
125 years and not in the future; an event of casework or vetting within 10 years of today. Each
path says so next to the field: forms, the API (400 field errors) and the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from common.input_limits import DATE_OF_BIRTH_MAX_AGE_YEARS, EVENT_WINDOW_YEARS
from community_services import services as vetting
from coordinators import services
from coordinators.models import WellbeingMeasure
from referrals import services as referral_services
from referrals.models import Patient
from tests.community_services.conftest import FULL_CHECKLIST
from tests.community_services.factories import SubmittedServiceFactory
from tests.coordinators.conftest import ONS4_ANSWERS, open_case
from tests.referrals.conftest import patient_payload, referral_payload, token_client
from tests.referrals.factories import TeamCoverageFactory

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime.date(1, 1, 1)
YEAR_9999 = datetime.date(9999, 12, 31)
WINDOW_MESSAGE = f"within {EVENT_WINDOW_YEARS} years of today"


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def at_ten(day: datetime.date) -> str:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))).isoformat()


@pytest.fixture
def case(practice_a, referrer_a, team_x, coordinator_x):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    return open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )


@pytest.fixture
def api(coordinator_x):
    return token_client(coordinator_x)


def _field_error(response, field: str) -> str:
    assert response.status_code == 400, response.content
    return " ".join(response.json()[field])


# --- Dates of birth


@pytest.mark.parametrize(
    "date_of_birth, message",
    [
        (years_ago(DATE_OF_BIRTH_MAX_AGE_YEARS + 1), "within the last 125 years"),
        (YEAR_ONE, "within the last 125 years"),
        (timezone.localdate() + datetime.timedelta(days=1), "must be in the past"),
    ],
)
def test_an_implausible_date_of_birth_is_a_400_naming_the_field(
    referrer_a, team_x, date_of_birth, message
):
    payload = referral_payload(patient=patient_payload(date_of_birth=date_of_birth.isoformat()))

    response = token_client(referrer_a).post("/api/v1/referrals/", payload, format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()["patient"]["date_of_birth"])
    assert not Patient.objects.exists()


def test_a_patient_of_124_is_accepted(referrer_a, practice_a, team_x):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    payload = referral_payload(patient=patient_payload(date_of_birth=years_ago(124).isoformat()))

    response = token_client(referrer_a).post("/api/v1/referrals/", payload, format="json")

    assert response.status_code == 201, response.content


def test_the_intake_service_refuses_a_date_of_birth_in_year_one(referrer_a, practice_a, team_x):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    with pytest.raises(ValidationError) as raised:
        referral_services.receive_referral(
            referred_by=referrer_a,
            practice=practice_a,
            patient={**patient_payload(), "date_of_birth": YEAR_ONE},
            referral={"reasons": ["loneliness"], "help_wanted": "Company."},
        )
    assert "date_of_birth" in raised.value.message_dict


def test_the_referral_form_says_so_next_to_the_date_of_birth(client, password, referrer_a):
    client.login(email=referrer_a.email, password=password)
    client.post(reverse("referrals:new"), {"nhs_number": "943 476 5919"})

    page = client.post(
        reverse("referrals:new-step", args=["patient"]),
        {
            "given_name": "Ianto",
            "family_name": "Testperson",
            "date_of_birth_day": "1",
            "date_of_birth_month": "1",
            "date_of_birth_year": "1",
            "preferred_contact_method": "phone",
            "reasons": ["loneliness"],
            "help_wanted": "Company.",
            "urgency": "routine",
            "consent_to_referral": "on",
        },
    ).content.decode()

    assert 'id="id_date_of_birth-error"' in page
    assert "within the last 125 years" in page


# --- Events of casework


def test_a_conversation_in_year_one_is_a_400_naming_the_field(case, api):
    response = api.post(
        "/api/v1/conversations/",
        {"case": case.pk, "held_on": "0001-01-01", "what_matters": "Company."},
        format="json",
    )

    assert WINDOW_MESSAGE in _field_error(response, "held_on")
    assert not case.conversations.exists()


def test_a_measure_taken_in_year_one_is_refused_by_the_service_and_the_api(
    case, api, coordinator_x
):
    with pytest.raises(ValidationError) as raised:
        services.record_measure(
            case=case,
            by=coordinator_x,
            instrument="ons4",
            occasion="baseline",
            answers=ONS4_ANSWERS,
            taken_on=YEAR_ONE,
        )
    assert list(raised.value.message_dict) == ["taken_on"]

    response = api.post(
        "/api/v1/measures/",
        {
            "case": case.pk,
            "instrument": "ons4",
            "occasion": "baseline",
            "answers": ONS4_ANSWERS,
            "taken_on": "0001-01-01",
        },
        format="json",
    )
    assert WINDOW_MESSAGE in _field_error(response, "taken_on")
    assert not WellbeingMeasure.objects.exists()


def test_a_review_in_9999_is_a_400_naming_the_field(case, api):
    response = api.post(
        "/api/v1/reviews/",
        {"case": case.pk, "scheduled_for": at_ten(YEAR_9999.replace(day=30)), "mode": "phone"},
        format="json",
    )

    assert WINDOW_MESSAGE in _field_error(response, "scheduled_for")
    assert not case.reviews.exists()


def test_the_next_review_in_9999_is_a_400_naming_the_field(case, api, coordinator_x):
    review = services.schedule_review(
        case=case,
        by=coordinator_x,
        scheduled_for=timezone.now() + datetime.timedelta(days=3),
        mode="phone",
    )

    response = api.post(
        f"/api/v1/reviews/{review.pk}/record/",
        {
            "notes": "Going well.",
            "continue_case": True,
            "next_review_at": at_ten(YEAR_9999.replace(day=30)),
        },
        format="json",
    )

    assert WINDOW_MESSAGE in _field_error(response, "next_review_at")
    review.refresh_from_db()
    assert review.status == "scheduled"


def test_the_review_form_says_so_next_to_the_date(case, client, password, coordinator_x):
    client.login(email=coordinator_x.email, password=password)

    page = client.post(
        reverse("coordinators:review-schedule", args=[case.reference]),
        {"day_day": "1", "day_month": "1", "day_year": "9999", "time": "10:00", "mode": "phone"},
    ).content.decode()

    assert 'id="id_day-error"' in page
    assert WINDOW_MESSAGE in page
    assert not case.reviews.exists()


def test_a_goal_target_in_9999_is_a_400_naming_the_field(case, api):
    response = api.post(
        "/api/v1/goals/",
        {
            "case": case.pk,
            "statement": "Walk more",
            "need_domain": "nature",
            "target_date": "9999-12-31",
        },
        format="json",
    )

    assert WINDOW_MESSAGE in _field_error(response, "target_date")
    assert not case.goals.exists()


def test_a_plan_action_due_in_9999_is_refused_by_the_service(case, coordinator_x):
    goal = services.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="nature")

    with pytest.raises(ValidationError) as raised:
        services.add_plan_action(
            case=case,
            by=coordinator_x,
            goal=goal,
            description="Join the walking group",
            owner="patient",
            due_date=YEAR_9999,
        )

    assert list(raised.value.message_dict) == ["due_date"]
    assert not case.plan_actions.exists()


def test_a_plan_action_due_a_year_ahead_is_fine(case, coordinator_x):
    goal = services.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="nature")

    action = services.add_plan_action(
        case=case,
        by=coordinator_x,
        goal=goal,
        description="Join the walking group",
        owner="patient",
        due_date=timezone.localdate() + datetime.timedelta(days=365),
    )

    assert action.due_date is not None


def test_full_clean_refuses_a_measure_taken_in_year_one(case, coordinator_x):
    measure = WellbeingMeasure(
        referral=case,
        instrument="ons4",
        occasion="baseline",
        answers=ONS4_ANSWERS,
        taken_on=YEAR_ONE,
        recorded_by=coordinator_x,
        recorded_at=timezone.now(),
    )

    with pytest.raises(ValidationError) as raised:
        measure.full_clean()

    assert list(raised.value.message_dict) == ["taken_on"]


# --- Vetting


def test_insurance_expiring_in_9999_is_a_400_naming_the_field(vetter):
    service = SubmittedServiceFactory()

    response = token_client(vetter).post(
        f"/api/v1/services/{service.public_id}/approve/",
        {**FULL_CHECKLIST, "insurance_expires_on": "9999-12-31"},
        format="json",
    )

    assert WINDOW_MESSAGE in _field_error(response, "insurance_expires_on")


def test_the_vetting_service_refuses_insurance_expiring_in_9999(vetter):
    service = SubmittedServiceFactory()

    with pytest.raises(vetting.VettingInputError) as raised:
        vetting.approve_service(
            by=vetter,
            service=service,
            checklist=FULL_CHECKLIST,
            insurance_expires_on=YEAR_9999,
        )

    assert str(raised.value).startswith("Insurance expires on")
    assert WINDOW_MESSAGE in str(raised.value)
