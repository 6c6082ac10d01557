"""Onward referrals over FHIR: a provider's system finds the Tasks for its services and answers
them; the same rules as the signed link (only that provider, only legal transitions)."""

import json

import pytest
from django.utils import timezone

from interop import services
from referrals import services as referral_services
from referrals.models import ContactMethod, ServiceReferralStatus
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.interop.conftest import FHIR, fhir_client
from tests.interop.fhir_validity import assert_valid
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def onward(practice_a, referrer_a, team_x, coordinator_x, provider_org):
    case = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        patient__consent_to_share=True,
    )
    referral_services.accept_referral(referral=case, by=coordinator_x)
    referral_services.record_first_contact(
        referral=case,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    service = ApprovedServiceFactory(
        name="Tuesday Lunch Club",
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
    )
    return referral_services.create_service_referral(
        referral=case, service=service, by=coordinator_x, provider_needs_to_know="Likes lunch."
    )


@pytest.fixture
def provider_api(provider_org):
    return fhir_client(
        services.register_client(organisation=provider_org, name="Case system", by=None)
    )


def test_a_provider_finds_the_onward_task_for_its_service_part_of_the_main_task(
    provider_api, onward, provider_org, django_assert_num_queries
):
    with django_assert_num_queries(11):
        bundle = provider_api.get(
            f"/fhir/R4/Task?owner=Organization/{provider_org.public_id}"
        ).json()
    (entry,) = bundle["entry"]
    task = entry["resource"]
    assert task["id"] == f"onward-{onward.pk}"
    assert task["status"] == "requested"
    assert task["partOf"] == [{"reference": f"Task/{onward.referral.reference}"}]
    assert task["contained"][0]["performer"][0]["display"] == "Tuesday Lunch Club"
    assert "identifier" not in task["for"]
    assert_valid(task)


def _answer(api, task_id: str, **changes):
    task = api.get(f"/fhir/R4/Task/{task_id}").json()
    return api.put(f"/fhir/R4/Task/{task_id}", json.dumps({**task, **changes}), content_type=FHIR)


def test_a_provider_accepts_then_marks_attended_with_a_procedure_as_output(provider_api, onward):
    task_id = f"onward-{onward.pk}"
    assert _answer(provider_api, task_id, status="accepted").json()["status"] == "accepted"
    done = _answer(provider_api, task_id, status="completed").json()
    assert done["status"] == "completed"
    assert done["output"][0]["valueReference"] == {"reference": "#attended"}
    onward.refresh_from_db()
    assert onward.status == ServiceReferralStatus.ATTENDED
    assert_valid(done)


def test_a_provider_rejects_with_a_reason(provider_api, onward):
    response = _answer(
        provider_api,
        f"onward-{onward.pk}",
        status="rejected",
        statusReason={"text": "Full this term."},
    )
    assert response.json()["status"] == "rejected"
    onward.refresh_from_db()
    assert onward.status == ServiceReferralStatus.DECLINED


def test_a_rejection_without_a_reason_is_a_422(provider_api, onward):
    response = _answer(provider_api, f"onward-{onward.pk}", status="rejected")
    assert response.status_code == 422


def test_did_not_attend_reads_failed(provider_api, onward):
    task_id = f"onward-{onward.pk}"
    _answer(provider_api, task_id, status="accepted")
    assert _answer(provider_api, task_id, status="failed").json()["status"] == "failed"


def test_an_illegal_transition_is_a_409(provider_api, onward):
    response = _answer(provider_api, f"onward-{onward.pk}", status="failed")
    assert response.status_code == 409
    onward.refresh_from_db()
    assert onward.status == ServiceReferralStatus.SENT


def test_another_provider_cannot_see_or_answer_the_task(onward, db):
    from tests.factories import OrganisationFactory

    other = OrganisationFactory(name="Other Provider", kind="service_provider")
    api = fhir_client(services.register_client(organisation=other, name="Other", by=None))
    assert api.get(f"/fhir/R4/Task/onward-{onward.pk}").status_code == 404
    assert api.get("/fhir/R4/Task").json()["entry"] == []


def test_the_receiving_team_reads_the_onward_task_but_cannot_answer_for_the_provider(
    team_x_api, onward
):
    assert team_x_api.get(f"/fhir/R4/Task/onward-{onward.pk}").status_code == 200
    assert _answer(team_x_api, f"onward-{onward.pk}", status="accepted").status_code == 403


def test_a_providers_onward_tasks_are_paged_newest_first_with_a_next_link(
    provider_api, onward, coordinator_x, django_assert_max_num_queries
):
    services_of_provider = onward.service.provider.services.all()
    case = onward.referral
    for name in ("Wednesday Walk", "Thursday Choir"):
        service = ApprovedServiceFactory(name=name, provider=onward.service.provider)
        referral_services.create_service_referral(
            referral=case, service=service, by=coordinator_x, provider_needs_to_know="Shy."
        )
    assert services_of_provider.count() == 3
    with django_assert_max_num_queries(11):
        first = provider_api.get("/fhir/R4/Task?_count=2").json()
    names = [e["resource"]["contained"][0]["performer"][0]["display"] for e in first["entry"]]
    assert names == ["Thursday Choir", "Wednesday Walk"]
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = provider_api.get(following.removeprefix("http://testserver")).json()
    assert [e["resource"]["id"] for e in second["entry"]] == [f"onward-{onward.pk}"]
    assert [link["relation"] for link in second["link"]] == ["self"]


def test_a_cursor_the_server_did_not_give_is_a_400(provider_api, onward):
    response = provider_api.get("/fhir/R4/Task?_cursor=not-one")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["_cursor"]
