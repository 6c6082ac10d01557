import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from community_services.models import ServiceStatus, ServiceStatusChange, VettingReview
from community_services.services import (
    FourEyesViolation,
    IllegalVettingTransition,
    VettingInputError,
    approve_service,
    default_vetted_until,
    expire_lapsed_vettings,
    expire_service,
    reinstate_service,
    reject_service,
    submit_service,
    suspend_service,
)

from .factories import ApprovedServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _approve(service, vetter, checklist, insurance_expiry, **kwargs):
    return approve_service(
        by=vetter,
        service=service,
        checklist=checklist,
        insurance_expires_on=insurance_expiry,
        **kwargs,
    )


def test_submitting_a_draft_puts_it_in_the_queue_and_records_the_change(vetter):
    service = ServiceFactory()
    service = submit_service(by=vetter, service=service)
    assert service.status == ServiceStatus.SUBMITTED
    assert service.submitted_by == vetter
    change = ServiceStatusChange.objects.get(service=service)
    assert (change.from_status, change.to_status, change.actor) == ("draft", "submitted", vetter)
    assert AuditEvent.objects.filter(action="service.submitted").count() == 1


@pytest.mark.parametrize("status", ["rejected", "expired", "suspended"])
def test_a_rejected_expired_or_suspended_service_can_be_submitted_again(vetter, status):
    service = ServiceFactory(status=status)
    assert submit_service(by=vetter, service=service).status == ServiceStatus.SUBMITTED


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_submitted_or_approved_service_cannot_be_submitted(vetter, status):
    service = ServiceFactory(status=status)
    with pytest.raises(IllegalVettingTransition):
        submit_service(by=vetter, service=service)
    assert not ServiceStatusChange.objects.exists()


def test_another_vetter_approves_a_submitted_service_with_the_full_checklist(
    submitted_service, second_vetter, checklist, insurance_expiry
):
    service = _approve(submitted_service, second_vetter, checklist, insurance_expiry)
    assert service.status == ServiceStatus.APPROVED
    review = VettingReview.objects.get(service=service)
    assert review.decision == "approved"
    assert review.reviewer == second_vetter
    assert review.vetted_until == service.vetted_until
    assert service.vetted_until == default_vetted_until(
        today=TODAY(), insurance_expires_on=insurance_expiry
    )
    assert ServiceStatusChange.objects.get(service=service).to_status == "approved"


def test_vetting_lasts_twelve_months_by_default():
    assert default_vetted_until(
        today=datetime.date(2026, 3, 1), insurance_expires_on=datetime.date(2030, 1, 1)
    ) == datetime.date(2027, 3, 1)


def test_vetting_never_lasts_past_the_insurance_expiry(submitted_service, second_vetter, checklist):
    expiry = TODAY() + datetime.timedelta(days=90)
    service = _approve(submitted_service, second_vetter, checklist, expiry)
    assert service.vetted_until == expiry


def test_an_explicit_vetted_until_past_the_insurance_expiry_is_refused(
    submitted_service, second_vetter, checklist, insurance_expiry
):
    with pytest.raises(VettingInputError, match="insurance expiry"):
        _approve(
            submitted_service,
            second_vetter,
            checklist,
            insurance_expiry,
            vetted_until=insurance_expiry + datetime.timedelta(days=1),
        )


def test_lapsed_insurance_blocks_approval(submitted_service, second_vetter, checklist):
    with pytest.raises(VettingInputError, match="insurance"):
        _approve(submitted_service, second_vetter, checklist, TODAY())


def test_approval_needs_every_checklist_item(
    submitted_service, second_vetter, checklist, insurance_expiry
):
    checklist["dbs_checks"] = False
    with pytest.raises(VettingInputError, match="DBS"):
        _approve(submitted_service, second_vetter, checklist, insurance_expiry)
    submitted_service.refresh_from_db()
    assert submitted_service.status == ServiceStatus.SUBMITTED
    assert not VettingReview.objects.exists()


def test_whoever_submitted_a_service_cannot_approve_it(
    submitted_service, vetter, checklist, insurance_expiry
):
    with pytest.raises(FourEyesViolation):
        _approve(submitted_service, vetter, checklist, insurance_expiry)


def test_whoever_last_edited_a_service_cannot_approve_it(
    submitted_service, second_vetter, vetter, checklist, insurance_expiry
):
    submitted_service.submitted_by = vetter
    submitted_service.last_edited_by = second_vetter
    submitted_service.save()
    with pytest.raises(FourEyesViolation):
        _approve(submitted_service, second_vetter, checklist, insurance_expiry)


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "suspended", "expired"])
def test_only_a_submitted_service_can_be_approved(
    second_vetter, checklist, insurance_expiry, status
):
    service = ServiceFactory(status=status)
    with pytest.raises(IllegalVettingTransition):
        _approve(service, second_vetter, checklist, insurance_expiry)


def test_rejecting_needs_a_reason_and_records_it(submitted_service, second_vetter):
    with pytest.raises(VettingInputError):
        reject_service(by=second_vetter, service=submitted_service, reason="  ")
    service = reject_service(
        by=second_vetter, service=submitted_service, reason="No safeguarding policy"
    )
    assert service.status == ServiceStatus.REJECTED
    assert service.status_reason == "No safeguarding policy"
    assert VettingReview.objects.get(service=service).decision == "rejected"


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "suspended", "expired"])
def test_only_a_submitted_service_can_be_rejected(second_vetter, status):
    service = ServiceFactory(status=status)
    with pytest.raises(IllegalVettingTransition):
        reject_service(by=second_vetter, service=service, reason="No")


def test_suspending_an_approved_service_needs_a_reason(vetter):
    service = ApprovedServiceFactory()
    with pytest.raises(VettingInputError):
        suspend_service(by=vetter, service=service, reason="")
    service = suspend_service(by=vetter, service=service, reason="Complaint under review")
    assert service.status == ServiceStatus.SUSPENDED
    assert service.status_reason == "Complaint under review"


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "suspended", "expired"])
def test_only_an_approved_service_can_be_suspended(vetter, status):
    with pytest.raises(IllegalVettingTransition):
        suspend_service(by=vetter, service=ServiceFactory(status=status), reason="x")


def test_a_suspended_service_is_reinstated_to_approved(vetter):
    service = ApprovedServiceFactory(status=ServiceStatus.SUSPENDED)
    assert reinstate_service(by=vetter, service=service).status == ServiceStatus.APPROVED


@pytest.mark.parametrize("status", ["draft", "submitted", "approved", "rejected", "expired"])
def test_only_a_suspended_service_can_be_reinstated(vetter, status):
    with pytest.raises(IllegalVettingTransition):
        reinstate_service(by=vetter, service=ServiceFactory(status=status))


def test_a_suspended_service_whose_vetting_lapsed_cannot_be_reinstated(vetter):
    service = ApprovedServiceFactory(
        status=ServiceStatus.SUSPENDED, vetted_until=TODAY() - datetime.timedelta(days=1)
    )
    with pytest.raises(IllegalVettingTransition, match="lapsed"):
        reinstate_service(by=vetter, service=service)


def test_an_approved_service_expires_once_vetted_until_has_passed():
    service = ApprovedServiceFactory(vetted_until=TODAY() - datetime.timedelta(days=1))
    assert expire_service(service=service).status == ServiceStatus.EXPIRED


def test_a_service_still_within_its_vetting_cannot_expire():
    service = ApprovedServiceFactory(vetted_until=TODAY())
    with pytest.raises(IllegalVettingTransition):
        expire_service(service=service)


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "suspended", "expired"])
def test_only_an_approved_service_can_expire(status):
    service = ServiceFactory(status=status, vetted_until=TODAY() - datetime.timedelta(days=3))
    with pytest.raises(IllegalVettingTransition):
        expire_service(service=service)


def test_expire_lapsed_vettings_expires_only_the_lapsed_approved_services():
    lapsed = ApprovedServiceFactory(vetted_until=TODAY() - datetime.timedelta(days=1))
    current = ApprovedServiceFactory(vetted_until=TODAY())
    suspended = ServiceFactory(status="suspended", vetted_until=TODAY() - datetime.timedelta(1))
    assert expire_lapsed_vettings() == 1
    for service in (lapsed, current, suspended):
        service.refresh_from_db()
    assert (lapsed.status, current.status, suspended.status) == ("expired", "approved", "suspended")
    assert ServiceStatusChange.objects.get().reason.startswith("Vetting lapsed")
