from allauth.account.adapter import DefaultAccountAdapter

from .selectors import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, and each role lands on its own home page."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        return home_url_for(request.user)

    def get_client_ip(self, request) -> str:
        """The address the audit trail records, so rate limits count the real client."""
        from django.core.exceptions import PermissionDenied

        from .middleware import client_ip

        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
