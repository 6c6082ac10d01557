"""Clients registered before the directory (HealthcareService, Location, Organization) and the
casework (Goal, Observation) were served hold their scopes as registered: grant them what a new
client of the same kind gets. The table is copied here, as a migration must not import the app."""

from django.db import migrations

ADDED = {
    "gp_practice": {
        "HealthcareService": "rs",
        "Location": "rs",
        "Organization": "rs",
        "Goal": "rs",
        "Observation": "rs",
    },
    "coordinator_team": {
        "HealthcareService": "rs",
        "Location": "rs",
        "Organization": "rs",
        "Goal": "rs",
        "Observation": "rs",
    },
    "service_provider": {"HealthcareService": "rs", "Location": "rs", "Organization": "rs"},
}


def _resource(scope: str) -> str:
    return scope.removeprefix("system/").partition(".")[0]


def grant(apps, schema_editor):
    FhirClient = apps.get_model("interop", "FhirClient")
    db = schema_editor.connection.alias
    for client in FhirClient.objects.using(db).select_related("organisation"):
        added = ADDED.get(client.organisation.kind, {})
        held = {_resource(scope) for scope in client.scopes.split()}
        extra = [f"system/{r}.{letters}" for r, letters in added.items() if r not in held]
        if extra:
            client.scopes = " ".join([*client.scopes.split(), *extra])
            client.save(using=db, update_fields=["scopes"])


def withdraw(apps, schema_editor):
    FhirClient = apps.get_model("interop", "FhirClient")
    db = schema_editor.connection.alias
    for client in FhirClient.objects.using(db).select_related("organisation"):
        added = ADDED.get(client.organisation.kind, {})
        kept = [scope for scope in client.scopes.split() if _resource(scope) not in added]
        if kept != client.scopes.split():
            client.scopes = " ".join(kept)
            client.save(using=db, update_fields=["scopes"])


class Migration(migrations.Migration):
    dependencies = [("interop", "0002_subscriptions_and_their_notifications")]

    operations = [migrations.RunPython(grant, withdraw)]
