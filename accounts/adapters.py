from allauth.account.adapter import DefaultAccountAdapter

from .selectors import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, and each role lands on its own home page."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        return home_url_for(request.user)
