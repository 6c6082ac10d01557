"""System clients: registered by a superuser for one organisation, revocable, each with a system
user holding that organisation's role so every query and service scopes it as a person."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from accounts.services import record_audit_event

from ..models import FhirClient
from ..scopes import GRANTS_BY_KIND, granted_scopes_text

ROLE_OF_KIND: dict[str, str] = {
    OrganisationKind.GP_PRACTICE: Role.REFERRER,
    OrganisationKind.COORDINATOR_TEAM: Role.COORDINATOR,
    OrganisationKind.SERVICE_PROVIDER: Role.PROVIDER,
}


@dataclass(frozen=True)
class RegisteredClient:
    client: FhirClient
    secret: str  # shown once: only its hash is stored


@transaction.atomic
def register_client(*, organisation: Organisation, name: str, by: User | None) -> RegisteredClient:
    """`by` is the superuser registering it (None only for seed_demo)."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied("Only a superuser registers FHIR clients.")
    if organisation.kind not in GRANTS_BY_KIND:
        raise ValidationError(
            {"organisation": "Choose a practice, a coordinator team or a provider."}
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the system, for example its supplier."})
    client_id = f"fhir-{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    system_user = User.objects.create_user(
        email=f"{client_id}@fhir-clients.invalid",
        password=None,
        first_name=name[:150],
        last_name="(system)",
    )
    Membership.objects.create(
        user=system_user, organisation=organisation, role=ROLE_OF_KIND[organisation.kind]
    )
    Application = get_application_model()
    application = Application.objects.create(
        name=f"{name} ({organisation.name})"[:255],
        client_id=client_id,
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        user=system_user,
        hash_client_secret=True,
    )
    client = FhirClient.objects.create(
        application=application,
        organisation=organisation,
        system_user=system_user,
        name=name,
        scopes=granted_scopes_text(organisation.kind),
        registered_by=by,
        registered_at=timezone.now(),
    )
    record_audit_event(
        actor=by,
        action="fhir_client_register",
        object_type="fhir_client",
        object_id=client_id,
        detail=f"{name} for {organisation.name}",
    )
    return RegisteredClient(client=client, secret=secret)


@transaction.atomic
def revoke_client(*, client: FhirClient, by: User) -> FhirClient:
    """No new token is issued and every token it holds stops working at once."""
    if not by.is_superuser:
        raise PermissionDenied("Only a superuser revokes FHIR clients.")
    client = FhirClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        return client
    client.revoked_at, client.revoked_by = timezone.now(), by
    client.save(update_fields=["revoked_at", "revoked_by"])
    client.application.accesstoken_set.all().delete()
    User.objects.filter(pk=client.system_user_id).update(is_active=False)
    record_audit_event(
        actor=by,
        action="fhir_client_revoke",
        object_type="fhir_client",
        object_id=client.client_id,
        detail=f"{client.name} for {client.organisation.name}",
    )
    return client


@transaction.atomic
def rotate_client_secret(*, client: FhirClient, by: User | None) -> RegisteredClient:
    """A new secret (shown once); the old one and every token issued with it stop working."""
    client = FhirClient.objects.select_related("application").select_for_update().get(pk=client.pk)
    secret = secrets.token_urlsafe(32)
    application = client.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    application.accesstoken_set.all().delete()
    record_audit_event(
        actor=by,
        action="fhir_client_rotate",
        object_type="fhir_client",
        object_id=client.client_id,
        detail=f"{client.name} for {client.organisation.name}",
    )
    return RegisteredClient(client=client, secret=secret)
