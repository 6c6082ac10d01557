"""allauth's sign-in form with our error wording: "Enter your email address", not a bare
"This field is required."; the one "Forgotten your password?" link is the page's own."""

from allauth.account.forms import LoginForm

from common.forms import NamedErrorsMixin


class SignInForm(NamedErrorsMixin, LoginForm):
    error_owner = "your "

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].help_text = ""
