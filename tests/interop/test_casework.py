"""The casework as FHIR: the patient's goals (SDOHCC Goal) and wellbeing measures (Observation,
codes of ours), read and searched by patient, scoped like the Task, each read audited, each
resource valid against the official schema."""

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from coordinators import services as casework
from coordinators.measures import INSTRUMENTS
from interop.codes import SDOHCC_CATEGORY_SYSTEM
from interop.resources.code_systems import WellbeingCode
from interop.resources.goal import goal_resource
from interop.resources.observation import observation_resource
from referrals import services as referral_services
from referrals.models import ContactMethod
from tests.interop.fhir_validity import assert_valid, references_in
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres

SWEMWBS_ANSWERS = {
    "optimistic": 3,
    "useful": 4,
    "relaxed": 3,
    "dealing_with_problems": 4,
    "thinking_clearly": 3,
    "close_to_others": 2,
    "own_mind": 4,
}
ONS4_ANSWERS = {"life_satisfaction": 4, "worthwhile": 6, "happiness": 5, "anxiety": 7}


@pytest.fixture
def case(practice_a, referrer_a, team_x, coordinator_x):
    referral = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    referral_services.accept_referral(referral=referral, by=coordinator_x)
    referral_services.record_first_contact(
        referral=referral,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def goal(case, coordinator_x):
    return casework.add_goal(
        case=case, by=coordinator_x, statement="Meet people once a week.", need_domain="loneliness"
    )


@pytest.fixture
def measures(case, coordinator_x):
    return [
        casework.record_measure(
            case=case,
            by=coordinator_x,
            instrument="ons4",
            occasion="baseline",
            answers=ONS4_ANSWERS,
        ),
        casework.record_measure(
            case=case,
            by=coordinator_x,
            instrument="swemwbs",
            occasion="baseline",
            answers=SWEMWBS_ANSWERS,
        ),
    ]


def test_every_item_of_every_instrument_has_a_code_of_ours():
    codes = set(WellbeingCode.values)
    for instrument in INSTRUMENTS.values():
        assert instrument.code in codes
        if instrument.code == "ons4":
            assert {f"ons4-{item.key}" for item in instrument.items} <= codes


def test_a_goal_is_an_sdohcc_goal_in_the_patients_words_with_its_category(goal):
    resource = goal_resource(goal)
    assert resource["description"] == {"text": "Meet people once a week."}
    assert resource["lifecycleStatus"] == "active"
    assert resource["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert {"system": SDOHCC_CATEGORY_SYSTEM, "code": "social-connection"}.items() <= (
        resource["category"][0]["coding"][1].items()
    )
    assert resource["subject"] == {"reference": f"Patient/{goal.referral.patient_id}"}
    assert_valid(resource)


def test_a_partly_achieved_goal_is_completed_and_says_so_in_our_code_alone(goal, coordinator_x):
    casework.set_goal_status(goal=goal, by=coordinator_x, status="partly_achieved")
    goal.refresh_from_db()
    resource = goal_resource(goal)
    assert resource["lifecycleStatus"] == "completed"
    assert [c["code"] for c in resource["achievementStatus"]["coding"]] == ["partly_achieved"]
    assert resource["statusDate"] == timezone.localdate().isoformat()
    assert_valid(resource)


def test_ons4_is_its_four_items_and_swemwbs_its_raw_and_metric_scores(measures):
    ons4, swemwbs = (observation_resource(m) for m in measures)
    assert [(c["code"]["coding"][0]["code"], c["valueInteger"]) for c in ons4["component"]] == [
        ("ons4-life_satisfaction", 4),
        ("ons4-worthwhile", 6),
        ("ons4-happiness", 5),
        ("ons4-anxiety", 7),
    ]
    assert swemwbs["component"][0]["valueInteger"] == 23
    assert swemwbs["component"][1]["valueQuantity"] == {"value": 20.73}
    assert "University of Warwick" in swemwbs["note"][0]["text"]
    assert ons4["category"][0]["coding"][0]["code"] == "survey"
    for resource in (ons4, swemwbs):
        assert_valid(resource)


def test_the_referring_practice_searches_the_patients_goals_and_measures(
    practice_a_api, case, goal, measures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        goals = practice_a_api.get(f"/fhir/R4/Goal?patient=Patient/{case.patient_id}").json()
    assert [e["resource"]["id"] for e in goals["entry"]] == [str(goal.pk)]
    with django_assert_max_num_queries(14):
        observations = practice_a_api.get(
            f"/fhir/R4/Observation?patient={case.patient_id}&code=swemwbs"
        ).json()
    assert [e["resource"]["id"] for e in observations["entry"]] == [str(measures[1].pk)]
    assert AuditEvent.objects.filter(action="view_list", patient_id=case.patient_id).exists()
    assert_valid(goals)
    assert_valid(observations)


def test_the_team_reads_a_goal_and_an_observation_and_each_read_is_audited(
    team_x_api, goal, measures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = team_x_api.get(f"/fhir/R4/Goal/{goal.pk}")
    assert response.status_code == 200
    assert team_x_api.get(f"/fhir/R4/Observation/{measures[0].pk}").status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="referral", patient_id=goal.referral.patient_id
    ).exists()


def test_another_practice_finds_neither_goals_nor_measures(practice_b_api, case, goal, measures):
    assert practice_b_api.get(f"/fhir/R4/Goal/{goal.pk}").status_code == 404
    assert practice_b_api.get(f"/fhir/R4/Observation/{measures[0].pk}").status_code == 404
    assert practice_b_api.get(f"/fhir/R4/Goal?patient={case.patient_id}").json()["entry"] == []


def test_the_goal_search_pages_by_count(practice_a_api, case, coordinator_x):
    for n in range(3):
        casework.add_goal(case=case, by=coordinator_x, statement=f"Goal {n}", need_domain="housing")
    first = practice_a_api.get("/fhir/R4/Goal?_count=2").json()
    assert [e["resource"]["description"]["text"] for e in first["entry"]] == ["Goal 0", "Goal 1"]
    assert first["total"] == 3
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = practice_a_api.get(following.removeprefix("http://testserver")).json()
    assert [e["resource"]["description"]["text"] for e in second["entry"]] == ["Goal 2"]


def test_a_bad_patient_or_code_is_a_400_naming_it(practice_a_api, case):
    assert practice_a_api.get("/fhir/R4/Goal?patient=Group/1").json()["issue"][0]["expression"] == [
        "patient"
    ]
    response = practice_a_api.get("/fhir/R4/Observation?code=phq9")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["code"]


def test_every_reference_in_a_goal_and_an_observation_resolves(practice_a_api, goal, measures):
    for path in (f"/fhir/R4/Goal/{goal.pk}", f"/fhir/R4/Observation/{measures[0].pk}"):
        resource = practice_a_api.get(path).json()
        for reference in references_in(resource):
            assert practice_a_api.get(f"/fhir/R4/{reference}").status_code == 200, reference
