"""The provider's signed link: issued, emailed once, and issued afresh once it expires."""

from django.db import transaction
from django.utils import timezone

from accounts.models import ReminderChannel, User
from accounts.services import Recipient, create_reminders, record_audit_event
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
    """A new link for the service's referral contact, emailed once the change commits (a
    reminder of kind provider_link, not sent once the link has expired); None when the service
    has no address to send it to."""
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
    _email_link(link, service_referral=service_referral, service=service)
    return link


def _email_link(link: ProviderLink, *, service_referral: ServiceReferral, service: Service) -> None:
    """No patient details go by email: the signed link (made when the email is rendered, see
    templates/reminders/provider_link/) shows them to whoever opens it in time."""
    referral = Referral.objects.select_related("team").get(pk=service_referral.referral_id)
    context = {
        "link_id": link.pk,
        "service_name": service.name,
        "team_name": referral.team.name,
        "reminder": link.purpose == ProviderLinkPurpose.REMINDER,
        "expires_on": f"{timezone.localtime(link.expires_at):%-d %B %Y}",
        "referred_on": f"{timezone.localtime(service_referral.sent_at):%-d %B %Y}",
    }
    create_reminders(
        kind="provider_link",
        target_type="provider_link",
        target_id=link.pk,
        occurrence=link.purpose,
        recipients=[
            Recipient(
                key=f"service:{service.pk}",
                channels=(ReminderChannel.EMAIL,),
                name=service.name,
                email=link.recipient_email,
            )
        ],
        context=context,
        team=referral.team,
        patient_id=referral.patient_id,
        stale_after=link.expires_at,
    )


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
