"""Renewing vetting before it lapses (issue 19 item 14): the checklist again, four eyes, a new
date, and the service stays in the directory throughout; and the vetting queue shows who
submitted each service and offers approval only to a vetter who may (issue 19 item 13)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from community_services import services
from community_services.models import (
    VETTING_MACHINE,
    Service,
    ServiceStatus,
    ServiceStatusChange,
    VettingAction,
)
from tests.community_services.factories import ApprovedServiceFactory, SubmittedServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring(vetter):
    """Approved, edited last by `vetter`, its vetting ending in ten days."""
    return ApprovedServiceFactory(
        name="Allotment Friends",
        last_edited_by=vetter,
        vetted_until=timezone.localdate() + datetime.timedelta(days=10),
    )


def _form(checklist, *, until_days=300, insured_days=500):
    today = timezone.localdate()
    data = {name: "on" for name in checklist}
    data["insurance_expires_on"] = (today + datetime.timedelta(days=insured_days)).isoformat()
    data["vetted_until"] = (today + datetime.timedelta(days=until_days)).isoformat()
    return data


def test_renewal_is_a_row_of_the_vetting_machine_from_approved_to_approved():
    renew = VETTING_MACHINE[VettingAction.RENEW]
    assert renew.from_states == (ServiceStatus.APPROVED,)
    assert renew.to_state == ServiceStatus.APPROVED


def test_another_vetter_renews_vetting_and_the_service_stays_referable(
    client, second_vetter, expiring, checklist
):
    client.force_login(second_vetter)
    url = reverse("community_services:service-renew", args=[expiring.public_id])

    response = client.post(url, _form(checklist))

    assert response.status_code == 302
    expiring.refresh_from_db()
    assert expiring.status == ServiceStatus.APPROVED
    assert expiring.vetted_until == timezone.localdate() + datetime.timedelta(days=300)
    assert Service.objects.referable().filter(pk=expiring.pk).exists()
    assert expiring.reviews.get().reviewer == second_vetter
    change = ServiceStatusChange.objects.get(service=expiring)
    assert (change.from_status, change.to_status) == ("approved", "approved")
    assert AuditEvent.objects.filter(action="service.vetting_renewed", actor=second_vetter).exists()


def test_the_vetter_who_last_edited_the_service_cannot_renew_it(
    client, vetter, expiring, checklist
):
    client.force_login(vetter)
    url = reverse("community_services:service-renew", args=[expiring.public_id])

    page = client.get(url).content.decode()
    assert "another vetter must renew its vetting" in page
    assert "Renew vetting</button>" not in page
    with pytest.raises(services.FourEyesViolation):
        services.renew_vetting(
            by=vetter,
            service=expiring,
            checklist=dict(checklist),
            insurance_expires_on=timezone.localdate() + datetime.timedelta(days=500),
        )
    expiring.refresh_from_db()
    assert expiring.vetted_until == timezone.localdate() + datetime.timedelta(days=10)


def test_vetting_far_from_its_end_cannot_be_renewed_yet(second_vetter, checklist):
    service = ApprovedServiceFactory()  # vetted for another 200 days

    with pytest.raises(services.IllegalVettingTransition, match="can be renewed from"):
        services.renew_vetting(
            by=second_vetter,
            service=service,
            checklist=dict(checklist),
            insurance_expires_on=timezone.localdate() + datetime.timedelta(days=500),
        )


def test_every_check_must_pass_again_to_renew(client, second_vetter, expiring, checklist):
    client.force_login(second_vetter)
    data = _form(checklist)
    del data["dbs_checks"]

    response = client.post(
        reverse("community_services:service-renew", args=[expiring.public_id]), data
    )

    assert response.status_code == 200
    assert "Confirm this check before approving." in response.content.decode()
    expiring.refresh_from_db()
    assert expiring.vetted_until == timezone.localdate() + datetime.timedelta(days=10)


def test_the_new_date_must_be_later_than_the_current_one(second_vetter, expiring, checklist):
    with pytest.raises(services.VettingInputError, match="later than the current one"):
        services.renew_vetting(
            by=second_vetter,
            service=expiring,
            checklist=dict(checklist),
            insurance_expires_on=timezone.localdate() + datetime.timedelta(days=500),
            vetted_until=timezone.localdate() + datetime.timedelta(days=5),
        )


def test_the_service_page_offers_renew_vetting_only_in_the_warning_period(
    client, second_vetter, expiring
):
    client.force_login(second_vetter)
    far = ApprovedServiceFactory()

    near_page = client.get(reverse("community_services:service-detail", args=[expiring.public_id]))
    far_page = client.get(reverse("community_services:service-detail", args=[far.public_id]))

    renew_url = reverse("community_services:service-renew", args=[expiring.public_id])
    assert renew_url in near_page.content.decode()
    assert "Renew vetting" not in far_page.content.decode()


def test_the_queue_shows_who_submitted_each_service_and_offers_review_only_to_another_vetter(
    client, vetter, second_vetter, expiring, django_assert_max_num_queries
):
    mine = SubmittedServiceFactory(name="Mine To Check", submitted_by=vetter, last_edited_by=vetter)
    client.force_login(vetter)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("community_services:vetter-home")).content.decode()

    review_url = reverse("community_services:service-review", args=[mine.public_id])
    assert "by you" in page
    assert review_url not in page
    assert "Another vetter must review" in page
    assert "Another vetter must renew" in page  # vetter last edited the expiring one
    client.force_login(second_vetter)
    page = client.get(reverse("community_services:vetter-home")).content.decode()
    assert f"by {vetter.display_name}" in page
    assert review_url in page
    assert reverse("community_services:service-renew", args=[expiring.public_id]) in page


def test_the_review_page_offers_only_reject_to_the_vetter_who_submitted(client, vetter):
    mine = SubmittedServiceFactory(submitted_by=vetter, last_edited_by=vetter)
    client.force_login(vetter)

    page = client.get(
        reverse("community_services:service-review", args=[mine.public_id])
    ).content.decode()

    assert 'value="approved"' not in page
    assert 'value="rejected"' in page


def test_the_vetting_queue_query_count_does_not_grow_with_services(
    client, vetter, django_assert_num_queries
):
    client.force_login(vetter)
    url = reverse("community_services:vetter-home")
    SubmittedServiceFactory(submitted_by=vetter)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        SubmittedServiceFactory(submitted_by=vetter)
        ApprovedServiceFactory(vetted_until=timezone.localdate() + datetime.timedelta(days=3))
    with django_assert_num_queries(len(one)):
        client.get(url)
