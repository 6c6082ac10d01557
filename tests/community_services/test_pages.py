import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from community_services.models import Service, ServiceStatus, ServiceVersion

from .factories import (
    ApprovedServiceFactory,
    LocationFactory,
    ProviderFactory,
    ServiceFactory,
    SubmittedServiceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _service_post_data(provider, **overrides):
    data = {
        "provider": provider.pk,
        "name": "Knit and Natter",
        "description": "A friendly knitting circle.",
        "minimum_age": "18",
        "maximum_age": "",
        "eligibility_criteria": "Adults",
        "is_free": "on",
        "fees_description": "",
        "how_to_access": "Drop in",
        "languages": "English",
        "contact_name": "Jo",
        "email": "jo@knit.example.org",
        "phone": "01632 960123",
        "website": "",
        "capacity": "accepting",
        "expected_wait_weeks": "",
        "need_domains": ["loneliness", "arts_and_culture"],
        "delivery_modes": ["in_person"],
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "0",
        "locations-MAX_NUM_FORMS": "1000",
        "locations-0-name": "Library",
        "locations-0-address_1": "2 Church Lane",
        "locations-0-city": "Northfield",
        "locations-0-postcode": "NF2 2BB",
        "locations-0-opening_times": "Wednesday 14:00-16:00",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        # The empty session-time form as a browser sends it: its prefilled defaults.
        "schedules-0-freq": "WEEKLY",
        "schedules-0-interval": "1",
    }
    data.update(overrides)
    return data


def _date(name: str, day: int, month: int, year: int) -> dict:
    """An NHS date input's three boxes."""
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


def _session(n: int, **fields) -> dict:
    return {f"schedules-{n}-{name}": value for name, value in fields.items()}


def test_the_vetting_queue_shows_submitted_oldest_first_then_expiring_and_expired(as_user, vetter):
    today = timezone.localdate()
    newer = SubmittedServiceFactory(name="Newer", submitted_at=timezone.now())
    older = SubmittedServiceFactory(
        name="Older", submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    ApprovedServiceFactory(name="Expiring soon", vetted_until=today + datetime.timedelta(10))
    ApprovedServiceFactory(name="Fine for ages", vetted_until=today + datetime.timedelta(100))
    ServiceFactory(name="Lapsed", status="expired", vetted_until=today - datetime.timedelta(1))
    response = as_user(vetter).get(reverse("community_services:vetter-home"))
    queue = response.context["queue"]
    assert list(queue["submitted"]) == [older, newer]
    assert [s.name for s in queue["expiring"]] == ["Expiring soon"]
    assert [s.name for s in queue["expired"]] == ["Lapsed"]


def test_a_vetter_creates_a_service_with_a_location_and_opening_times(as_user, vetter):
    provider = ProviderFactory()
    response = as_user(vetter).post(
        reverse("community_services:service-create"), _service_post_data(provider)
    )
    service = Service.objects.get(name="Knit and Natter")
    assert response.status_code == 302
    assert service.status == ServiceStatus.DRAFT
    assert service.need_domain_codes == ["arts_and_culture", "loneliness"]
    assert str(service.locations.get().opening_times.get()) == "Wednesday 14:00–16:00"


def test_a_vetter_adds_weekly_and_monthly_session_times_that_the_feed_publishes(
    as_user, vetter, client
):
    data = _service_post_data(
        ProviderFactory(),
        **{"schedules-TOTAL_FORMS": "2"},
        **_session(0, freq="WEEKLY", interval="2", days=["MO", "TH"], opens_at="10:00",
                   closes_at="12:00", **_date("valid_from", 5, 1, 2027),
                   **_date("valid_to", 16, 7, 2027), description="Term time only"),
        **_session(1, freq="MONTHLY", interval="1", days=["WE"], week_of_month="1",
                   opens_at="14:00", closes_at="15:30"),
    )  # fmt: skip
    response = as_user(vetter).post(reverse("community_services:service-create"), data)
    assert response.status_code == 302, response.content
    service = Service.objects.get(name="Knit and Natter")
    fortnightly, monthly = service.schedules.all()
    assert (fortnightly.freq, fortnightly.interval, fortnightly.byday) == ("WEEKLY", 2, "MO,TH")
    assert (fortnightly.valid_from, fortnightly.valid_to) == (
        datetime.date(2027, 1, 5),
        datetime.date(2027, 7, 16),
    )
    assert (monthly.freq, monthly.byday) == ("MONTHLY", "1WE")
    page = as_user(vetter).get(
        reverse("community_services:service-detail", args=[service.public_id])
    )
    assert "Every other Monday and Thursday, 10:00–12:00" in page.content.decode()
    assert "The first Wednesday of every month, 14:00–15:30" in page.content.decode()
    edit = as_user(vetter).get(reverse("community_services:service-edit", args=[service.public_id]))
    assert edit.context["schedules"].forms[1].initial["week_of_month"] == 1


def test_a_bad_session_time_is_refused_with_the_error_next_to_its_field(as_user, vetter):
    data = _service_post_data(
        ProviderFactory(),
        **{"schedules-TOTAL_FORMS": "2"},
        **_session(0, freq="WEEKLY", interval="1", days=["TU"], week_of_month="2",
                   opens_at="12:00", closes_at="11:00"),
        **_session(1, freq="MONTHLY", interval="1", opens_at="09:00", closes_at="10:00",
                   **_date("valid_from", 1, 9, 2027), **_date("valid_to", 1, 8, 2027)),
    )  # fmt: skip
    response = as_user(vetter).post(reverse("community_services:service-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem with a session time" in page
    assert 'id="id_schedules-0-week_of_month-error"' in page
    assert "Choose monthly to run in one week of the month." in page
    assert 'id="id_schedules-0-closes_at-error"' in page
    assert "The session must end after it starts." in page
    assert 'id="id_schedules-1-days-error"' in page
    assert "Choose the day or days the session runs." in page
    assert 'id="id_schedules-1-valid_to-error"' in page
    assert not Service.objects.exists()


def test_the_service_form_shows_clear_errors_next_to_the_fields(as_user, vetter):
    provider = ProviderFactory()
    data = _service_post_data(
        provider,
        name="",
        minimum_age="70",
        maximum_age="20",
        need_domains=[],
        **{"locations-0-opening_times": "Someday 9-5"},
    )
    response = as_user(vetter).post(reverse("community_services:service-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose at least one need domain." in page
    assert "Maximum age must be the same as or above minimum age." in page
    assert "is not like Tuesday 10:00-12:00" in page
    assert 'class="nhsuk-error-message" id="id_name-error"' in page
    assert not Service.objects.exists()


def test_editing_an_approved_services_description_keeps_it_approved_and_records_a_version(
    as_user, vetter
):
    service = ApprovedServiceFactory(description="Old words")
    LocationFactory(service=service)
    location = service.locations.get()
    data = _service_post_data(
        service.provider,
        name=service.name,
        description="New words",
        **{
            "locations-INITIAL_FORMS": "1",
            "locations-0-id": location.pk,
            "locations-0-service": service.pk,
            "locations-0-name": location.name,
            "locations-0-address_1": location.address_1,
            "locations-0-city": location.city,
            "locations-0-postcode": location.postcode,
            "locations-0-opening_times": "",
        },
    )
    client = as_user(vetter)
    response = client.post(
        reverse("community_services:service-edit", args=[service.public_id]), data
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.APPROVED
    version = ServiceVersion.objects.get(service=service)
    assert version.changes["description"] == ["Old words", "New words"]
    history = client.get(reverse("community_services:service-history", args=[service.public_id]))
    assert "Old words" in history.content.decode() and "New words" in history.content.decode()


def test_the_review_page_approves_with_the_checklist(as_user, vetter, second_vetter):
    service = SubmittedServiceFactory(submitted_by=vetter, last_edited_by=vetter)
    data = {
        "decision": "approved",
        "safeguarding_policy": "on",
        "public_liability_insurance": "on",
        "insurance_expires_on": (timezone.localdate() + datetime.timedelta(400)).isoformat(),
        "dbs_checks": "on",
        "data_protection": "on",
        "complaints_procedure": "on",
        "accessibility": "on",
        "notes": "All seen",
    }
    url = reverse("community_services:service-review", args=[service.public_id])
    response = as_user(second_vetter).post(url, data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.APPROVED


def test_the_review_page_shows_the_four_eyes_refusal_as_a_message(as_user, vetter, checklist):
    service = SubmittedServiceFactory(submitted_by=vetter, last_edited_by=vetter)
    data = {name: "on" for name in checklist}
    data.update(
        decision="approved",
        insurance_expires_on=(timezone.localdate() + datetime.timedelta(400)).isoformat(),
    )
    url = reverse("community_services:service-review", args=[service.public_id])
    response = as_user(vetter).post(url, data)
    assert response.status_code == 200
    assert "another vetter must approve it" in response.content.decode()
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUBMITTED


def test_rejecting_on_the_review_page_needs_a_reason(as_user, second_vetter, submitted_service):
    url = reverse("community_services:service-review", args=[submitted_service.public_id])
    response = as_user(second_vetter).post(url, {"decision": "rejected", "reason": ""})
    assert "Give a reason for rejecting the service." in response.content.decode()
    response = as_user(second_vetter).post(url, {"decision": "rejected", "reason": "No DBS"})
    submitted_service.refresh_from_db()
    assert submitted_service.status == ServiceStatus.REJECTED


def test_suspending_and_reinstating_through_the_pages(as_user, vetter):
    service = ApprovedServiceFactory()
    client = as_user(vetter)
    client.post(reverse("community_services:service-suspend", args=[service.public_id]),
                {"reason": "Complaint"})  # fmt: skip
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUSPENDED
    client.post(reverse("community_services:service-reinstate", args=[service.public_id]))
    service.refresh_from_db()
    assert service.status == ServiceStatus.APPROVED


def test_an_illegal_transition_on_a_page_shows_a_message_not_an_error(as_user, vetter):
    service = ApprovedServiceFactory()
    response = as_user(vetter).post(
        reverse("community_services:service-reinstate", args=[service.public_id]), follow=True
    )
    assert response.status_code == 200
    assert "cannot be reinstated" in response.content.decode()


@pytest.mark.parametrize("role", ["referrer", "provider", "coordinator", "manager"])
def test_only_vetters_can_use_the_vetting_pages(as_user, cast, role):
    service = SubmittedServiceFactory()
    client = as_user(cast[role])
    for name in ("vetter-home", "service-list", "service-create", "provider-create"):
        assert client.get(reverse(f"community_services:{name}")).status_code == 403
    for name in ("service-review", "service-edit", "service-history", "service-suspend"):
        url = reverse(f"community_services:{name}", args=[service.public_id])
        assert client.get(url).status_code == 403
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUBMITTED


@pytest.mark.parametrize("role", ["referrer", "provider"])
def test_referrers_and_providers_cannot_search_the_directory(as_user, cast, role):
    assert (
        as_user(cast[role]).get(reverse("community_services:directory-search")).status_code == 403
    )


def test_a_coordinator_sees_a_referable_service_but_not_one_awaiting_vetting(
    as_user, coordinator_x
):
    referable = ApprovedServiceFactory()
    waiting = SubmittedServiceFactory()
    client = as_user(coordinator_x)
    url = reverse("community_services:service-detail", args=[referable.public_id])
    assert client.get(url).status_code == 200
    url = reverse("community_services:service-detail", args=[waiting.public_id])
    assert client.get(url).status_code == 404


def test_vetters_see_their_menu_entries(as_user, vetter):
    page = as_user(vetter).get(reverse("community_services:vetter-home")).content.decode()
    assert "Vetting queue" in page and ">Services<" in page
