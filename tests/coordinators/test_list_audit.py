"""Caseload pages and casework lists are audited with each record shown and its patient."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from coordinators import services
from tests.referrals.conftest import token_client

pytestmark = pytest.mark.django_db


def _listed(actor):
    return set(
        AuditEvent.objects.filter(actor=actor, action="view_list").values_list(
            "object_type", "object_id", "patient_id"
        )
    )


def test_my_caseload_records_each_case_and_patient_shown(as_user, case, coordinator_x):
    as_user(coordinator_x).get(reverse("coordinators:home"))
    assert _listed(coordinator_x) == {("referral", str(case.pk), str(case.patient_id))}


def test_the_api_goal_list_records_each_goal_with_its_cases_patient(case, coordinator_x):
    goal = services.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="nature")
    response = token_client(coordinator_x).get("/api/v1/goals/")
    assert [row["id"] for row in response.json()["results"]] == [goal.pk]
    assert _listed(coordinator_x) == {("goal", str(goal.pk), str(case.patient_id))}
