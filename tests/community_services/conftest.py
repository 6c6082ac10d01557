import datetime

import pytest
from django.utils import timezone

from tests.conftest import _member

from .factories import (
    ApprovedServiceFactory,
    LocationFactory,
    OpeningTimeFactory,
    SubmittedServiceFactory,
)

FULL_CHECKLIST = {
    "safeguarding_policy": True,
    "public_liability_insurance": True,
    "dbs_checks": True,
    "data_protection": True,
    "complaints_procedure": True,
    "accessibility": True,
}


@pytest.fixture
def checklist():
    return dict(FULL_CHECKLIST)


@pytest.fixture
def insurance_expiry():
    return timezone.localdate() + datetime.timedelta(days=500)


@pytest.fixture
def second_vetter(directory_team):
    return _member("vetter.two@test.example", directory_team, "vetter", first_name="Val")


@pytest.fixture
def submitted_service(vetter):
    return SubmittedServiceFactory(submitted_by=vetter, last_edited_by=vetter)


@pytest.fixture
def published_service(db):
    """A referable service with a location and opening times, as the HSDS feed shows it."""
    service = ApprovedServiceFactory(
        name="Friendship Lunch Club",
        domains=["loneliness", "healthy_eating"],
        delivered_by_phone=True,
        languages="English, Polish",
    )
    location = LocationFactory(service=service)
    OpeningTimeFactory(location=location, weekday=1)
    OpeningTimeFactory(
        location=location, weekday=3, opens_at=datetime.time(14), closes_at=datetime.time(16)
    )
    return service
