"""The provider keeps its own listing current (issue 19 item 10): taking referrals, a waiting
list with its expected wait, paused, the contact for referrals; nothing a vetter checked; and
it is told before its vetting ends."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Reminder
from accounts.services import deliver_reminder
from community_services.models import Capacity, Service, ServiceStatus
from community_services.services import sweep_vetting_expiring

from .factories import ApprovedServiceFactory, ProviderFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=LONDON)


@pytest.fixture
def ours(provider_org, vetter):
    return ApprovedServiceFactory(
        name="Lunch Club",
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
        last_edited_by=vetter,
        email="old@lunch.example",
    )


@pytest.fixture
def theirs():
    return ApprovedServiceFactory(name="Someone Else's Walks")


def _listing_url(service):
    return reverse("community_services:provider-listing", args=[service.public_id])


def test_the_provider_sees_its_own_services_only(
    client, provider, ours, theirs, django_assert_max_num_queries
):
    client.force_login(provider)

    with django_assert_max_num_queries(7):
        page = client.get(reverse("community_services:provider-services")).content.decode()

    assert "Lunch Club" in page and "Someone Else" not in page
    assert client.get(_listing_url(theirs)).status_code == 404


def test_the_provider_puts_its_service_on_a_waiting_list_and_it_stays_approved(
    client, provider, ours, vetter
):
    client.force_login(provider)

    response = client.post(
        _listing_url(ours),
        {
            "capacity": Capacity.WAITING_LIST,
            "expected_wait_weeks": "6",
            "contact_name": "Volunteer coordinator",
            "email": "referrals@lunch.example",
            "phone": "",
        },
    )

    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.capacity_summary == "Waiting list, about 6 weeks"
    assert ours.email == "referrals@lunch.example"
    assert ours.status == ServiceStatus.APPROVED
    assert ours.last_edited_by == vetter  # the four-eyes rule still sees the vetter's edit
    event = AuditEvent.objects.get(action="update", actor=provider)
    assert event.detail.startswith("by the provider:")


def test_pausing_takes_the_service_out_of_referable_ones(client, provider, ours):
    client.force_login(provider)

    client.post(_listing_url(ours), {"capacity": Capacity.PAUSED, "email": ours.email})

    assert not Service.objects.referable().filter(pk=ours.pk).exists()


def test_a_waiting_list_without_the_expected_wait_is_an_error_next_to_that_field(
    client, provider, ours
):
    client.force_login(provider)

    response = client.post(
        _listing_url(ours), {"capacity": Capacity.WAITING_LIST, "email": ours.email}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the expected wait in weeks." in page
    assert 'href="#id_expected_wait_weeks"' in page
    ours.refresh_from_db()
    assert ours.capacity == Capacity.ACCEPTING


def test_the_listing_form_offers_no_field_a_vetter_checks(client, provider, ours):
    client.force_login(provider)

    page = client.get(_listing_url(ours)).content.decode()

    for vetted in ('name="description"', 'name="eligibility_criteria"', 'name="status"'):
        assert vetted not in page
    assert "Safeguarding details" in page


def test_the_provider_is_emailed_once_before_its_vetting_ends(provider, ours):
    Service.objects.filter(pk=ours.pk).update(vetted_until=MONDAY.date() + datetime.timedelta(20))

    created = sweep_vetting_expiring(MONDAY)
    again = sweep_vetting_expiring(MONDAY + datetime.timedelta(days=7))

    to_provider = [r for r in created if r.kind == "provider_vetting_expiring"]
    assert {(r.recipient, r.channel) for r in to_provider} >= {(provider, "email")}
    assert not [r for r in again if r.kind == "provider_vetting_expiring"]
    email = Reminder.objects.get(kind="provider_vetting_expiring", channel="email")
    deliver_reminder(reminder_id=email.pk)
    (message,) = mail.outbox
    assert "Lunch Club" in message.subject and "22 March 2026" in message.subject
    assert _listing_url(ours) in message.body
