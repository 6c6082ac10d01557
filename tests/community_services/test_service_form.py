"""Issue 19 item 15: the add-service form in NHS.UK inputs throughout, the location placed from
its postcode (the postcode lookup), no "---------", no "Delete" on a new row, dates as fieldsets."""

import re

import pytest
from django.urls import reverse

from community_services.models import Location, Postcode, Service

from .factories import (
    ApprovedServiceFactory,
    LocationFactory,
    ProviderFactory,
    ServiceScheduleFactory,
)
from .test_pages import _service_post_data, _session

pytestmark = pytest.mark.django_db
NEW = reverse("community_services:service-create")


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _page(client, url=NEW):
    return client.get(url).content.decode()


def test_every_visible_input_on_the_form_is_an_nhs_input(as_user, vetter):
    page = _page(as_user(vetter))
    start = page.index("<form", page.index("<h1"))
    form = page[start : page.index("</form>", start)]
    controls = re.findall(r"<(input|select|textarea)\b([^>]*)>", form)
    visible = [attrs for tag, attrs in controls if 'type="hidden"' not in attrs]
    assert visible
    unstyled = [attrs for attrs in visible if 'class="nhsuk-' not in attrs]
    assert unstyled == []


def test_the_form_has_no_raw_coordinates_no_dashes_and_no_delete_box_on_new_rows(as_user, vetter):
    page = _page(as_user(vetter))
    assert "latitude" not in page.lower() and "longitude" not in page.lower()
    assert "---------" not in page
    assert "Select a provider" in page
    assert "DELETE" not in page


def test_a_saved_location_and_session_can_still_be_deleted(as_user, vetter):
    service = ApprovedServiceFactory()
    LocationFactory(service=service)
    ServiceScheduleFactory(service=service)
    url = reverse("community_services:service-edit", args=[service.public_id])
    page = _page(as_user(vetter), url)
    assert 'name="locations-0-DELETE"' in page and 'name="schedules-0-DELETE"' in page
    assert 'name="locations-1-DELETE"' not in page and 'name="schedules-1-DELETE"' not in page


def test_session_dates_are_nhs_date_fieldsets_with_legends(as_user, vetter):
    page = _page(as_user(vetter))
    for name, legend in (("valid_from", "First date (optional)"), ("valid_to", "Last date")):
        start = page.index(f'id="id_schedules-0-{name}"')
        fieldset = page[page.rindex("<fieldset", 0, start) : start]
        assert legend in fieldset and "nhsuk-fieldset__legend" in fieldset
        assert f'name="schedules-0-{name}_day"' in page


def test_the_location_is_placed_from_its_postcode(as_user, vetter):
    Postcode.objects.create(postcode="NF2 2BB", latitude="52.412000", longitude="-1.910000")
    data = _service_post_data(ProviderFactory(), **{"locations-0-postcode": "nf22bb"})
    response = as_user(vetter).post(NEW, data)
    assert response.status_code == 302
    location = Location.objects.get(service__name="Knit and Natter")
    assert location.postcode == "NF2 2BB"
    assert (str(location.latitude), str(location.longitude)) == ("52.412000", "-1.910000")


def test_with_no_postcode_directory_loaded_the_location_is_saved_unplaced_with_a_warning(
    as_user, vetter
):
    assert not Postcode.objects.exists()  # a fresh install
    data = _service_post_data(ProviderFactory(), **{"locations-0-postcode": "ZZ9 9ZZ"})
    response = as_user(vetter).post(NEW, data, follow=True)
    location = Location.objects.get(service__name="Knit and Natter")
    assert (location.postcode, location.latitude, location.longitude) == ("ZZ9 9ZZ", None, None)
    page = response.content.decode()
    assert "Service saved as a draft." in page
    assert "The location at ZZ9 9ZZ was saved without a place on the map" in page
    assert "no postcode directory is loaded yet" in page


def test_a_postcode_the_loaded_directory_lacks_is_refused_next_to_it_and_nothing_is_saved(
    as_user, vetter
):
    Postcode.objects.create(postcode="NF2 2BB", latitude="52.412000", longitude="-1.910000")
    data = _service_post_data(ProviderFactory(), **{"locations-0-postcode": "zz99zz"})
    response = as_user(vetter).post(NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    error = page[page.index('id="id_locations-0-postcode-error"') :][:300]
    assert "We could not find postcode ZZ9 9ZZ. Check it and enter it again" in error
    assert "We could not find postcode ZZ9 9ZZ" in page[: page.index("<form", page.index("<h1"))]
    assert not Service.objects.filter(name="Knit and Natter").exists()
    assert not Location.objects.exists()


def test_an_unchanged_postcode_the_directory_lacks_does_not_block_editing_the_service(
    as_user, vetter
):
    """A location saved before the lookup was loaded keeps its postcode when other details
    change; only a new or changed postcode is checked."""
    Postcode.objects.create(postcode="NF2 2BB", latitude="52.412000", longitude="-1.910000")
    service = ApprovedServiceFactory(name="Old Hall Lunch")
    location = LocationFactory(service=service, postcode="ZZ9 9ZZ", latitude=None, longitude=None)
    url = reverse("community_services:service-edit", args=[service.public_id])
    data = _service_post_data(
        service.provider,
        name="New Hall",
        **{
            "locations-INITIAL_FORMS": "1",
            "locations-0-id": str(location.pk),
            "locations-0-postcode": "ZZ9 9ZZ",
        },
    )
    changed = as_user(vetter).post(url, data)
    assert changed.status_code == 302
    service.refresh_from_db()
    assert service.name == "New Hall"
    assert service.locations.get().postcode == "ZZ9 9ZZ"


def test_a_malformed_postcode_is_an_error_next_to_it_and_nothing_is_saved(as_user, vetter):
    data = _service_post_data(ProviderFactory(), **{"locations-0-postcode": "12345"})
    page = as_user(vetter).post(NEW, data).content.decode()
    assert 'id="id_locations-0-postcode-error"' in page and "Enter a UK postcode" in page
    assert not Service.objects.filter(name="Knit and Natter").exists()


def test_session_dates_are_entered_as_day_month_year(as_user, vetter):
    data = _service_post_data(
        ProviderFactory(),
        **_session(
            0,
            days=["TU"],
            opens_at="10:00",
            closes_at="12:00",
            valid_from_day="5",
            valid_from_month="1",
            valid_from_year="2027",
            valid_to_day="31",
            valid_to_month="2",
            valid_to_year="2027",
        ),
    )
    page = as_user(vetter).post(NEW, data).content.decode()
    assert 'id="id_schedules-0-valid_to-error"' in page or "Enter a real date" in page
    data.update(_session(0, valid_to_day="16", valid_to_month="7"))
    assert as_user(vetter).post(NEW, data).status_code == 302
    schedule = Service.objects.get(name="Knit and Natter").schedules.get()
    assert (str(schedule.valid_from), str(schedule.valid_to)) == ("2027-01-05", "2027-07-16")
