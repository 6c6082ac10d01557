"""django-oauth-toolkit hooks: a revoked client gets no token, and each client is offered only
the scopes of its organisation's kind."""

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from .models import FhirClient
from .scopes import all_scopes, scopes_within


def _client_grants(application) -> dict[str, str]:
    client = FhirClient.objects.filter(application=application, revoked_at__isnull=True).first()
    if client is None:
        return {}
    grants: dict[str, str] = {}
    for scope in client.scopes.split():
        resource, _, letters = scope.removeprefix("system/").partition(".")
        grants[resource] = letters
    return grants


class FhirOAuth2Validator(OAuth2Validator):
    def _load_application(self, client_id, request):
        application = super()._load_application(client_id, request)
        if (
            application is not None
            and not FhirClient.objects.filter(
                application=application, revoked_at__isnull=True
            ).exists()
        ):
            request.client = None
            return None
        return application


class FhirScopes(BaseScopes):
    def get_all_scopes(self):
        return all_scopes()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return scopes_within(_client_grants(application)) if application else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return []
        return [f"system/{r}.{letters}" for r, letters in _client_grants(application).items()]
