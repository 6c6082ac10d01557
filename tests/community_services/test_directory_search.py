"""Issue 19 item 8: the directory (and refer-on) searched by distance from a postcode and by
session day and time; each result leads to the service's details; "Only show" checkboxes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from community_services.models import Postcode
from community_services.selectors import DirectoryFilters, Nearby, search_directory
from tests.coordinators.conftest import open_case

from .factories import ApprovedServiceFactory, LocationFactory, ServiceScheduleFactory

pytestmark = pytest.mark.django_db
URL = reverse("community_services:directory-search")


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


@pytest.fixture
def postcodes():
    """Invented postcodes: NF1 1AA at the centre, NF9 9ZZ about 14 miles north."""
    Postcode.objects.create(postcode="NF1 1AA", latitude="52.400000", longitude="-1.900000")
    Postcode.objects.create(postcode="NF9 9ZZ", latitude="52.600000", longitude="-1.900000")


def _at(name, latitude):
    service = ApprovedServiceFactory(name=name)
    LocationFactory(service=service, latitude=latitude, longitude="-1.900000")
    return service


def test_a_postcode_search_lists_services_within_the_distance_nearest_first(
    as_user, coordinator_x, postcodes
):
    _at("Two miles away", "52.429000")
    _at("Next door", "52.401000")
    _at("Far away", "52.700000")
    ApprovedServiceFactory(name="Seen somewhere", delivered_in_person=True)  # no location
    page = as_user(coordinator_x).get(URL, {"postcode": "nf11aa", "within": 5}).content.decode()
    assert page.index("Next door") < page.index("Two miles away")
    assert "Far away" not in page and "Seen somewhere" not in page
    assert "0.1 miles from NF1 1AA" in page and "2 miles from NF1 1AA" in page


def test_phone_and_online_services_follow_the_nearby_ones_marked_as_having_no_distance(
    as_user, coordinator_x, postcodes
):
    _at("Next door", "52.401000")
    ApprovedServiceFactory(name="A helpline", delivered_in_person=False, delivered_by_phone=True)
    far_but_online = _at("Far but online", "52.700000")
    far_but_online.delivered_online = True
    far_but_online.save()
    page = as_user(coordinator_x).get(URL, {"postcode": "NF1 1AA", "within": 5}).content.decode()
    results = page.split('data-testid="search-result"')[1:]
    assert ["Next door" in results[0], "A helpline" in results[1]] == [True, True]
    assert "Far but online" in results[2] and len(results) == 3
    assert "0.1 miles from NF1 1AA" in results[0]
    for remote in results[1:]:
        assert "Phone or online – no distance" in remote and "miles from" not in remote


def test_asked_for_services_met_in_person_a_phone_service_far_away_is_left_out(postcodes):
    _at("Next door", "52.401000")
    far = _at("Far, also by phone", "52.700000")
    far.delivered_by_phone = True
    far.save()
    near = Nearby(latitude=52.4, longitude=-1.9, metres=5 * 1609.344)
    in_person = DirectoryFilters(near=near, delivery_mode="in_person")
    assert [s.name for s in search_directory(in_person)] == ["Next door"]
    anyhow = [s.name for s in search_directory(DirectoryFilters(near=near))]
    assert anyhow == ["Next door", "Far, also by phone"]


def test_a_phone_service_with_a_location_nearby_keeps_its_distance(postcodes):
    both = _at("Drop in or ring", "52.401000")
    both.delivered_by_phone = True
    both.save()
    near = Nearby(latitude=52.4, longitude=-1.9, metres=5 * 1609.344)
    [found] = search_directory(DirectoryFilters(near=near))
    assert found.name == "Drop in or ring" and round(found.distance) == 111


def test_the_distance_chosen_widens_the_search(postcodes):
    _at("Two miles away", "52.429000")
    near = Nearby(latitude=52.4, longitude=-1.9, metres=1609.344)
    assert [s.name for s in search_directory(DirectoryFilters(near=near))] == []
    near = Nearby(latitude=52.4, longitude=-1.9, metres=3 * 1609.344)
    assert [s.name for s in search_directory(DirectoryFilters(near=near))] == ["Two miles away"]


@pytest.mark.parametrize(
    ("postcode", "error"),
    [("not a postcode", "Enter a UK postcode"), ("NF7 7ZZ", "We do not know the postcode NF7 7ZZ")],
)
def test_a_bad_or_unknown_postcode_is_an_error_next_to_the_field(
    as_user, coordinator_x, postcodes, postcode, error
):
    page = as_user(coordinator_x).get(URL, {"postcode": postcode}).content.decode()
    field = page[page.index('for="id_postcode"') :].split("<input")[0]
    assert error in field
    assert "There is a problem" in page


def test_day_and_time_of_day_filter_on_the_services_session_times(as_user, coordinator_x):
    tuesday_evening = ApprovedServiceFactory(name="Tuesday evening choir")
    ServiceScheduleFactory(
        service=tuesday_evening,
        byday="TU",
        opens_at=datetime.time(18),
        closes_at=datetime.time(20),
    )
    monday_morning = ApprovedServiceFactory(name="Monday morning walk")
    ServiceScheduleFactory(
        service=monday_morning, byday="MO", opens_at=datetime.time(9), closes_at=datetime.time(11)
    )
    ended = ApprovedServiceFactory(name="Finished Tuesday course")
    ServiceScheduleFactory(
        service=ended,
        byday="TU",
        opens_at=datetime.time(18),
        closes_at=datetime.time(20),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = as_user(coordinator_x)
    tuesdays = client.get(URL, {"day": "TU"}).content.decode()
    assert "Tuesday evening choir" in tuesdays
    assert "Monday morning walk" not in tuesdays and "Finished Tuesday course" not in tuesdays
    mornings = client.get(URL, {"time_of_day": "morning"}).content.decode()
    assert "Monday morning walk" in mornings and "Tuesday evening choir" not in mornings
    # Day and time together must be the same session.
    assert (
        "Monday morning walk"
        not in client.get(URL, {"day": "MO", "time_of_day": "evening"}).content.decode()
    )


def test_a_monthly_session_counts_on_its_day(as_user, coordinator_x):
    first_wednesday = ApprovedServiceFactory(name="First Wednesday lunch")
    ServiceScheduleFactory(service=first_wednesday, freq="MONTHLY", byday="1WE")
    assert (
        "First Wednesday lunch" in as_user(coordinator_x).get(URL, {"day": "WE"}).content.decode()
    )


def test_the_only_show_checkboxes_are_nhs_checkboxes_in_one_fieldset_on_both_pages(
    as_user, coordinator_x, practice_a, referrer_a, team_x
):
    from coordinators import services as casework

    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    case.patient.consent_to_share = True
    case.patient.save()
    casework.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="nature")
    client = as_user(coordinator_x)
    refer_on = reverse("coordinators:case-refer-on", args=[case.reference])
    for url in (URL, refer_on):
        page = client.get(url).content.decode()
        fieldset = page[page.index('data-testid="only-show"') :].split("</fieldset>")[0]
        assert "Only show</legend>" in fieldset
        assert fieldset.count('class="nhsuk-checkboxes__item"') == 2
        assert "Free only" in fieldset and "Accepting referrals now" in fieldset


def test_refer_on_searches_near_the_patient_and_links_each_result_to_its_details(
    as_user, coordinator_x, practice_a, referrer_a, team_x, postcodes
):
    from coordinators import services as casework

    near = _at("Next door", "52.401000")
    _at("Far away", "52.700000")
    ApprovedServiceFactory(name="Ring us", delivered_in_person=False, delivered_by_phone=True)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    case.patient.consent_to_share, case.patient.postcode = True, "NF1 1AA"
    case.patient.save()
    casework.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="loneliness")
    url = reverse("coordinators:case-refer-on", args=[case.reference])
    page = as_user(coordinator_x).get(url).content.decode()
    assert 'value="NF1 1AA"' in page
    assert "Next door" in page and "Far away" not in page
    assert "Phone or online – no distance" in page  # the helpline, after Next door
    assert page.index("Next door") < page.index("Ring us")
    details = reverse("community_services:service-detail", args=[near.public_id])
    assert f'href="{details}"' in page
    anywhere = as_user(coordinator_x).get(url, {"postcode": ""}).content.decode()
    assert "Far away" in anywhere


def test_a_patient_postcode_the_lookup_lacks_leaves_the_search_unfiltered(
    as_user, coordinator_x, practice_a, referrer_a, team_x
):
    from coordinators import services as casework

    _at("Somewhere", "52.401000")
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    case.patient.consent_to_share, case.patient.postcode = True, "NF5 5ZZ"
    case.patient.save()
    casework.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="loneliness")
    url = reverse("coordinators:case-refer-on", args=[case.reference])
    page = as_user(coordinator_x).get(url).content.decode()
    assert "Somewhere" in page and "There is a problem" not in page


def test_a_search_by_distance_and_session_reads_a_fixed_number_of_queries(
    as_user, coordinator_x, postcodes, django_assert_num_queries
):
    client = as_user(coordinator_x)
    params = {"postcode": "NF1 1AA", "within": 10, "day": "TU", "q": "group"}

    def add_service():
        service = _at("Group nearby", "52.401000")
        ServiceScheduleFactory(service=service, byday="TU")

    def add_phone_service():
        service = ApprovedServiceFactory(
            name="Group by phone", delivered_in_person=False, delivered_by_phone=True
        )
        ServiceScheduleFactory(service=service, byday="TU")

    add_service()
    add_phone_service()
    client.get(URL, params)  # warm the session
    for _ in range(4):
        add_service()
        add_phone_service()
    with django_assert_num_queries(DIRECTORY_QUERIES):
        page = client.get(URL, params).content.decode()
    assert page.count('data-testid="search-result"') == 10
    assert page.count("Phone or online – no distance") == 5


# Session, user, memberships, the postcode, the page with its count, need domains, audit.
DIRECTORY_QUERIES = 7
