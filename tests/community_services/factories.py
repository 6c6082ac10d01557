import datetime

import factory
from django.utils import timezone

from community_services.models import (
    Capacity,
    Location,
    OpeningTime,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceSchedule,
    ServiceStatus,
)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Community Trust {n}")
    description = "A community organisation running local groups."
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    website = "https://trust.example.org/"
    email = "hello@trust.example.org"
    phone = "01632 960000"


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service in any state; `status=...` sets it directly (tests of the transitions use the
    service functions instead)."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "A weekly group for people who would like company."
    eligibility_criteria = "Adults living in the borough."
    minimum_age = 18
    maximum_age = None
    is_free = True
    delivered_in_person = True
    how_to_access = "Ask your link worker to refer you."
    languages = "English"
    contact_name = "Sam Organiser"
    email = "group@trust.example.org"
    phone = "01632 960001"
    website = "https://trust.example.org/group"
    capacity = Capacity.ACCEPTING
    status = ServiceStatus.DRAFT

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain in extracted if extracted is not None else ["loneliness"]:
                ServiceNeedDomain.objects.create(service=self, domain=domain)

    @factory.post_generation
    def index(self, create, extracted, **kwargs):
        if create:
            from community_services.services.service_content import _index_for_search

            _index_for_search(self)


class ApprovedServiceFactory(ServiceFactory):
    status = ServiceStatus.APPROVED
    vetted_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=200))


class SubmittedServiceFactory(ServiceFactory):
    status = ServiceStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    service = factory.SubFactory(ServiceFactory)
    name = "Community Hall"
    address_1 = "1 High Street"
    city = "Northfield"
    county = "Westshire"
    postcode = "NF1 1AA"
    latitude = "52.400000"
    longitude = "-1.900000"


class OpeningTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningTime

    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens_at = datetime.time(10)
    closes_at = datetime.time(12)


class ServiceScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceSchedule

    service = factory.SubFactory(ServiceFactory)
    freq = "WEEKLY"
    interval = 1
    byday = "TU"
    opens_at = datetime.time(12)
    closes_at = datetime.time(14)
