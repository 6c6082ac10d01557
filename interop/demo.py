"""Demo FHIR clients: one for each demo practice, team and provider with a login. Secrets are
stored hashed, so a re-run gives each existing client a fresh secret to print."""

from django.db.models import Q

from accounts.models import Membership, Organisation, OrganisationKind, Role

from .models import FhirClient
from .services import register_client, rotate_client_secret

DEMO_CLIENT_NAME = "Demo system"


def _organisations():
    providers = Membership.objects.filter(role=Role.PROVIDER).values("organisation_id")
    # One filter, not a UNION: SQLite (`make run`) refuses the ORDER BY each side carries.
    return Organisation.objects.filter(
        Q(kind__in=[OrganisationKind.GP_PRACTICE, OrganisationKind.COORDINATOR_TEAM])
        | Q(kind=OrganisationKind.SERVICE_PROVIDER, pk__in=providers)
    )


def seed(log) -> list[str]:
    lines = []
    for organisation in sorted(_organisations(), key=lambda o: (o.kind, o.name)):
        existing = FhirClient.objects.filter(
            organisation=organisation, name=DEMO_CLIENT_NAME, revoked_at__isnull=True
        ).first()
        registered = (
            rotate_client_secret(client=existing, by=None)
            if existing
            else register_client(organisation=organisation, name=DEMO_CLIENT_NAME, by=None)
        )
        lines.append(
            f"FHIR client for {organisation.name}: client id {registered.client.client_id}, "
            f"secret {registered.secret}"
        )
    log(f"{len(lines)} FHIR clients ready")
    return lines
