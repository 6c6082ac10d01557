"""allauth's password and two-factor forms with our error wording: every message names its
field ("Enter your email address", "Enter a new password", "Enter the 6-digit code from your
authenticator app"), as allauth's own "This field is required." does not. Wired in through
allauth's ACCOUNT_FORMS and MFA_FORMS settings; the messages allauth's adapters raise after
checking (a wrong code, a wrong password) are the adapters' `error_messages`. Each also takes
the app's `NamedErrorsMixin`, so a field allauth adds later is named like every other form's."""

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms

from common.forms import NamedErrorsMixin

EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter your email address in the correct format, like name@example.com"
CURRENT_PASSWORD_REQUIRED = "Enter your current password"  # noqa: S105 - a message
PASSWORD_REQUIRED = "Enter your password"  # noqa: S105 - a message
NEW_PASSWORD_REQUIRED = "Enter a new password"  # noqa: S105 - a message
NEW_PASSWORD_AGAIN_REQUIRED = "Enter your new password again"  # noqa: S105 - a message
PASSWORDS_DIFFER = "The new passwords do not match: enter the same new password twice"
TOTP_CODE_REQUIRED = "Enter the 6-digit code from your authenticator app"
SIGN_IN_CODE_REQUIRED = (
    "Enter the 6-digit code from your authenticator app, or one of your recovery codes"
)


def _word(form: Any, name: str, label: str | None = None, **messages: str) -> None:
    """Give one field our messages (required, invalid, …) and, if given, our label."""
    field = form.fields[name]
    if label:
        field.label = label
    field.error_messages.update(messages)


class _NewPasswordTwice:
    """The new password and its repeat, named; allauth's "You must type the same password each
    time." replaced by ours, on the second field."""

    def _word_new_passwords(self) -> None:
        _word(self, "password1", "New password", required=NEW_PASSWORD_REQUIRED)
        _word(self, "password2", "New password again", required=NEW_PASSWORD_AGAIN_REQUIRED)

    def clean(self) -> dict[str, Any]:
        # allauth's PasswordVerificationMixin.clean only compares the two; skipped for ours.
        cleaned = super(account_forms.PasswordVerificationMixin, self).clean()  # type: ignore[misc]
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", PASSWORDS_DIFFER)  # type: ignore[attr-defined]
        return cleaned


class ResetPasswordForm(NamedErrorsMixin, account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "email", "Email address", required=EMAIL_REQUIRED, invalid=EMAIL_INVALID)


class ResetPasswordKeyForm(NamedErrorsMixin, _NewPasswordTwice, account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._word_new_passwords()


class ChangePasswordForm(NamedErrorsMixin, _NewPasswordTwice, account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "oldpassword", "Current password", required=CURRENT_PASSWORD_REQUIRED)
        self._word_new_passwords()


class ReauthenticateForm(NamedErrorsMixin, account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "password", "Password", required=PASSWORD_REQUIRED)


class AuthenticateForm(NamedErrorsMixin, mfa_forms.AuthenticateForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "code", required=SIGN_IN_CODE_REQUIRED)


class MFAReauthenticateForm(NamedErrorsMixin, mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "code", required=SIGN_IN_CODE_REQUIRED)


class ActivateTOTPForm(NamedErrorsMixin, totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _word(self, "code", required=TOTP_CODE_REQUIRED)
