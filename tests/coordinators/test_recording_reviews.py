"""Issue 19 item 7: recording a review groups each chosen measure in its own fieldset and keeps
the real date and time the review happened."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coordinators import services
from coordinators.measures import ONS4, SWEMWBS
from coordinators.models import Review
from tests.coordinators.conftest import SWEMWBS_ANSWERS, held_now, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(case, coordinator_x):
    services.add_goal(case=case, by=coordinator_x, statement="Walk", need_domain="nature")
    return services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(5), mode="phone"
    )


def _url(case, review):
    return reverse("coordinators:review-record", args=[case.reference, review.pk])


def _fieldset(page, code):
    start = page.index(f'data-testid="measure-fieldset-{code}"')
    return page[start : page.index("</fieldset>", start)]


def test_each_measure_is_a_fieldset_with_its_name_and_scale_as_legend(
    as_user, case, coordinator_x, review
):
    page = as_user(coordinator_x).get(_url(case, review)).content.decode()
    for instrument in (ONS4, SWEMWBS):
        fieldset = _fieldset(page, instrument.code)
        legend = fieldset[: fieldset.index("</legend>")]
        assert instrument.name in legend and instrument.scale_labels[0] in legend
        assert all(escape(item.text) in fieldset for item in instrument.items)


def test_only_the_measures_the_case_uses_are_offered(as_user, case, coordinator_x, review):
    services.record_measure(
        case=case,
        by=coordinator_x,
        instrument="swemwbs",
        occasion="baseline",
        answers=SWEMWBS_ANSWERS,
    )
    page = as_user(coordinator_x).get(_url(case, review)).content.decode()
    assert 'data-testid="measure-fieldset-swemwbs"' in page
    assert 'data-testid="measure-fieldset-ons4"' not in page
    assert escape(ONS4.items[0].text) not in page


def test_the_form_opens_with_now_as_when_the_review_happened(as_user, case, coordinator_x, review):
    page = as_user(coordinator_x).get(_url(case, review)).content.decode()
    today = timezone.localdate()
    assert 'name="held_on_day"' in page and f'value="{today.day}"' in page
    assert "Date the review happened" in page


def test_a_review_recorded_before_its_date_keeps_when_it_really_happened(
    as_user, case, coordinator_x, review
):
    earlier = timezone.localtime() - datetime.timedelta(hours=3)
    response = as_user(coordinator_x).post(
        _url(case, review),
        {
            "notes": "Met early at the café.",
            "continue_case": "no",
            **held_now(
                held_on_day=str(earlier.day),
                held_on_month=str(earlier.month),
                held_on_year=str(earlier.year),
                held_time=earlier.strftime("%H:%M"),
            ),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "completed"
    assert timezone.localtime(review.held_at).strftime("%Y-%m-%d %H:%M") == earlier.strftime(
        "%Y-%m-%d %H:%M"
    )
    assert review.scheduled_for == in_days(5)  # the plan is kept, apart from what happened


def test_a_time_in_the_future_is_an_error_next_to_the_time_and_nothing_is_recorded(
    as_user, case, coordinator_x, review
):
    later = timezone.localtime() + datetime.timedelta(hours=2)
    if later.date() != timezone.localdate():
        later = timezone.localtime() + datetime.timedelta(days=1)
    response = as_user(coordinator_x).post(
        _url(case, review),
        {
            "notes": "Not yet.",
            "continue_case": "no",
            **held_now(
                held_on_day=str(later.day),
                held_on_month=str(later.month),
                held_on_year=str(later.year),
                held_time=later.strftime("%H:%M"),
            ),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The review cannot have happened in the future" in page
    assert "nhsuk-form-group--error" in page
    assert Review.objects.get(pk=review.pk).status == "scheduled"


def test_the_service_refuses_a_review_held_in_the_future(case, coordinator_x, review):
    with pytest.raises(ValidationError) as refused:
        services.record_review(
            review=review,
            by=coordinator_x,
            notes="Not yet.",
            ratings=[],
            continue_case=False,
            held_at=timezone.now() + datetime.timedelta(minutes=5),
        )
    assert "held_at" in refused.value.message_dict
    assert Review.objects.get(pk=review.pk).status == "scheduled"


def test_the_service_takes_now_when_no_time_is_given(case, coordinator_x, review):
    before = timezone.now()
    recorded = services.record_review(
        review=review, by=coordinator_x, notes="Fine.", ratings=[], continue_case=False
    )
    assert before <= recorded.review.held_at <= timezone.now()
