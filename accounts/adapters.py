from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from .selectors import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, and each role lands on its own home page."""

    # The messages allauth raises after checking a password name the field, as ours do.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "enter_current_password": "Your current password is not correct. "
        "Enter your current password",
        "incorrect_password": "The password is not correct. Enter your password",
    }

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


class MFAAdapter(DefaultMFAAdapter):
    """A wrong code names what to enter, as every other error message does."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The code is not correct. "
        "Enter the 6-digit code from your authenticator app",
    }
