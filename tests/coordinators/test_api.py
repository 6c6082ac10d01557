import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from coordinators import services
from coordinators.models import Goal, Review, WellbeingMeasure
from tests.coordinators.conftest import ONS4_ANSWERS, SWEMWBS_ANSWERS, in_days, open_case
from tests.referrals.conftest import token_client

pytestmark = pytest.mark.django_db


def _goal(case, by):
    return services.add_goal(case=case, by=by, statement="Walk more", need_domain="nature")


def test_a_coordinator_lists_and_reads_the_teams_cases_with_audit(case, coordinator_x):
    api = token_client(coordinator_x)
    listed = api.get("/api/v1/cases/").json()["results"]
    assert [row["reference"] for row in listed] == [case.reference]
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["patient"]["consent_to_share"] is False and body["access_needs"]
    assert AuditEvent.objects.filter(action="view", object_type="case", object_id=str(case.pk))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/{case}/",
        "/api/v1/cases/{case}/timeline/",
        "/api/v1/goals/{goal}/",
        "/api/v1/reviews/{review}/",
    ],
)
def test_a_coordinator_of_another_team_gets_404_from_the_api(
    case, coordinator_x, coordinator_y, path
):
    goal = _goal(case, coordinator_x)
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(3), mode="phone"
    )
    url = path.format(case=case.pk, goal=goal.pk, review=review.pk)
    assert token_client(coordinator_y).get(url).status_code == 404


def test_lists_are_scoped_to_the_team(case, other_team_case, coordinator_x, coordinator_y):
    _goal(case, coordinator_x)
    _goal(other_team_case, coordinator_y)
    goals = token_client(coordinator_y).get("/api/v1/goals/").json()["results"]
    assert [goal["case"] for goal in goals] == [other_team_case.pk]


def test_creating_on_another_teams_case_is_a_404(case, coordinator_y):
    response = token_client(coordinator_y).post(
        "/api/v1/goals/",
        {"case": case.pk, "statement": "x", "need_domain": "nature"},
        format="json",
    )
    assert response.status_code == 404
    assert not Goal.objects.exists()


def test_a_goal_is_created_changed_and_finished_through_the_api(case, coordinator_x):
    api = token_client(coordinator_x)
    created = api.post(
        "/api/v1/goals/",
        {"case": case.pk, "statement": "Meet people", "need_domain": "loneliness"},
        format="json",
    )
    assert created.status_code == 201, created.content
    goal_id = created.json()["id"]
    patched = api.patch(f"/api/v1/goals/{goal_id}/", {"priority": "high"}, format="json")
    assert patched.json()["priority"] == "high"
    finished = api.post(f"/api/v1/goals/{goal_id}/status/", {"status": "achieved"}, format="json")
    assert finished.json()["status"] == "achieved"
    again = api.post(f"/api/v1/goals/{goal_id}/status/", {"status": "achieved"}, format="json")
    assert again.status_code == 409


def test_a_measure_is_scored_and_bad_answers_get_field_errors(case, coordinator_x):
    api = token_client(coordinator_x)
    ok = api.post(
        "/api/v1/measures/",
        {
            "case": case.pk,
            "instrument": "swemwbs",
            "occasion": "baseline",
            "answers": SWEMWBS_ANSWERS,
        },
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["metric_score"] == "17.43"
    bad = api.post(
        "/api/v1/measures/",
        {"case": case.pk, "instrument": "ons4", "occasion": "baseline",
         "answers": {**ONS4_ANSWERS, "anxiety": 11}},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json() == {"answers": {"anxiety": ["Answer with a number from 0 to 10."]}}
    assert WellbeingMeasure.objects.count() == 1


def test_a_review_is_scheduled_and_recorded_with_the_next_one_through_the_api(case, coordinator_x):
    goal = _goal(case, coordinator_x)
    api = token_client(coordinator_x)
    scheduled = api.post(
        "/api/v1/reviews/",
        {"case": case.pk, "scheduled_for": in_days(3).isoformat(), "mode": "phone"},
        format="json",
    )
    assert scheduled.status_code == 201, scheduled.content
    recorded = api.post(
        f"/api/v1/reviews/{scheduled.json()['id']}/record/",
        {
            "notes": "Good",
            "ratings": [{"goal": goal.pk, "rating": 8}],
            "measure": {"instrument": "ons4", "answers": ONS4_ANSWERS},
            "continue_case": True,
        },
        format="json",
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["review"]["status"] == "completed"
    assert recorded.json()["next_review"]["status"] == "scheduled"


def test_recording_a_review_for_a_closed_case_is_a_409(case, coordinator_x):
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(3), mode="phone"
    )
    services.close_case(case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done")
    response = token_client(coordinator_x).post(
        f"/api/v1/reviews/{review.pk}/record/",
        {"notes": "Late", "continue_case": False},
        format="json",
    )
    assert response.status_code == 409
    assert Review.objects.get().status == "cancelled"


def test_plan_actions_link_to_a_goal_of_the_same_case(
    case, other_team_case, coordinator_x, coordinator_y
):
    theirs = _goal(other_team_case, coordinator_y)
    api = token_client(coordinator_x)
    refused = api.post(
        "/api/v1/plan-actions/",
        {"case": case.pk, "goal": theirs.pk, "description": "x", "owner": "patient"},
        format="json",
    )
    assert refused.status_code == 400 and "goal" in refused.json()
    mine = _goal(case, coordinator_x)
    created = api.post(
        "/api/v1/plan-actions/",
        {"case": case.pk, "goal": mine.pk, "description": "Walk", "owner": "community_service",
         "owner_detail": "Walking group"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201
    done = api.patch(f"/api/v1/plan-actions/{created.json()['id']}/", {"status": "done"})
    assert done.json()["status"] == "done"


def test_the_case_is_closed_through_the_api_and_a_manager_reassigns(case, coordinator_x, manager):
    goal = _goal(case, coordinator_x)
    assert (
        token_client(coordinator_x)
        .post(f"/api/v1/cases/{case.pk}/reassign/", {"to": manager.pk}, format="json")
        .status_code
        == 403
    )
    moved = token_client(manager).post(
        f"/api/v1/cases/{case.pk}/reassign/", {"to": manager.pk}, format="json"
    )
    assert moved.json()["assigned_coordinator"] == manager.display_name
    closed = token_client(manager).post(
        f"/api/v1/cases/{case.pk}/close/",
        {"outcome": "goals_met", "summary": "Done.", "goal_statuses": {str(goal.pk): "achieved"}},
        format="json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/api/v1/goals/", "/api/v1/reviews/", "/api/v1/measures/",
             "/api/v1/plan-actions/", "/api/v1/conversations/"],
)  # fmt: skip
def test_api_lists_have_a_fixed_query_count(
    path, case, coordinator_x, practice_a, referrer_a, team_x, django_assert_num_queries
):
    api = token_client(coordinator_x)

    def work(on):
        goal = _goal(on, coordinator_x)
        services.add_plan_action(
            case=on, by=coordinator_x, goal=goal, description="x", owner="patient"
        )
        services.record_conversation(
            case=on, by=coordinator_x, held_on=goal.created_at.date(), what_matters="x"
        )
        review = services.schedule_review(
            case=on, by=coordinator_x, scheduled_for=in_days(3), mode="phone"
        )
        services.record_review(
            review=review, by=coordinator_x, notes="x", continue_case=True,
            ratings=[services.GoalRating(goal.pk, 4)],
            measure={"instrument": "ons4", "answers": ONS4_ANSWERS},
        )  # fmt: skip

    work(case)
    api.get(path)
    with CaptureQueriesContext(connection) as first:
        api.get(path)
    work(
        open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x)
    )
    with django_assert_num_queries(len(first)):
        assert api.get(path).status_code == 200


def test_the_schema_documents_the_casework_endpoints(client, coordinator_x):
    client.force_login(coordinator_x)  # the schema is for signed-in users
    spec = json.loads(
        client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/close/",
        "/api/v1/goals/",
        "/api/v1/measures/",
        "/api/v1/plan-actions/",
        "/api/v1/reviews/{id}/record/",
    ):
        assert path in spec["paths"]
