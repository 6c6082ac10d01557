"""The provider's signed link: issued, emailed once, and issued afresh once it expires."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.enqueue import send_task_after_commit
from community_services.models import Service

from .. import provider_links
from ..errors import IllegalTransition, LinkStillValid
from ..models import ProviderLink, ProviderLinkPurpose, Referral, ServiceReferral
from ..selectors import referral_contact_email
from .guards import locked_service_referral, require_team_member


def issue_provider_link(
    *,
    service_referral: ServiceReferral,
    service: Service,
    by: User | None,
    purpose: str = ProviderLinkPurpose.REFERRAL,
) -> ProviderLink | None:
    """A new link for the service's referral contact, emailed once the change commits; None
    when the service has no address to send it to."""
    email = referral_contact_email(service)
    if not email:
        return None
    now = timezone.now()
    link = ProviderLink.objects.create(
        service_referral=service_referral,
        recipient_email=email,
        issued_by=by,
        issued_at=now,
        expires_at=now + provider_links.max_age(),
        purpose=purpose,
    )
    send_task_after_commit("referrals.email_provider_link", link_id=link.pk)
    return link


@transaction.atomic
def send_fresh_provider_link(*, service_referral: ServiceReferral, by: User) -> ProviderLink:
    """Once the last link has expired, the team can email the provider a new one."""
    referral = Referral.objects.get(pk=service_referral.referral_id)
    require_team_member(by, referral)
    service_referral = locked_service_referral(service_referral)
    service = Service.objects.select_related("provider").get(pk=service_referral.service_id)
    if service_referral.is_final:
        raise IllegalTransition(
            f"The referral to {service.name} is "
            f"{service_referral.get_status_display().lower()}: there is nothing left to answer."
        )
    latest = service_referral.links.order_by("-issued_at", "-id").first()
    if latest is not None and not latest.has_expired:
        expiry = timezone.localtime(latest.expires_at)
        raise LinkStillValid(
            f"The link sent to {latest.recipient_email} still works until {expiry:%-d %b %Y}."
        )
    link = issue_provider_link(
        service_referral=service_referral, service=service, by=by, purpose=ProviderLinkPurpose.FRESH
    )
    if link is None:
        raise IllegalTransition(
            f"{service.name} has no email address for referrals. Ask the directory team to add one."
        )
    record_audit_event(
        actor=by,
        action="send_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"fresh link {link.pk} to {link.recipient_email}",
    )
    return link


@transaction.atomic
def email_provider_link(*, link_id: int) -> bool:
    """Email one link, once: a retry never sends it twice. No patient details go by email."""
    link = ProviderLink.objects.select_for_update().get(pk=link_id)
    if link.emailed_at is not None:
        return False
    service_referral = ServiceReferral.objects.select_related("service", "referral__team").get(
        pk=link.service_referral_id
    )
    expiry = timezone.localtime(link.expires_at)
    service_name, team_name = service_referral.service.name, service_referral.referral.team.name
    if link.purpose == ProviderLinkPurpose.REMINDER:
        subject = f"Reminder: a referral to {service_name} is waiting for your answer"
        opening = (
            f"{team_name} referred someone to {service_name} on "
            f"{timezone.localtime(service_referral.sent_at):%-d %B %Y} and has not had an "
            "answer yet. This new link replaces the one we sent before."
        )
    else:
        subject = f"New referral to {service_name}"
        opening = f"{team_name} has referred someone to {service_name}."
    send_mail(
        subject=subject,
        message=(
            f"{opening}\n\n"
            "Open this secure link to see who they are and how to contact them, and to tell us "
            f"whether you can take the referral:\n\n{provider_links.url_for(link)}\n\n"
            f"The link works until {expiry:%-d %B %Y}. Please do not forward it."
        ),
        from_email=None,
        recipient_list=[link.recipient_email],
    )
    link.emailed_at = timezone.now()
    link.save(update_fields=["emailed_at"])
    return True
