"""The people page's forms: the choices come from what the signed-in user may give."""

from django import forms

from common.forms import NHSForm

from .models import Organisation, Role


class _RoleChoiceMixin(NHSForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation or team",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation or team."},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Choose the role."},
    )

    def __init__(self, *args, organisations, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = [("", "Choose a role")] + [
            (value, label) for value, label in Role.choices if value in roles
        ]


class InviteForm(_RoleChoiceMixin):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address.",
            "invalid": "Enter an email address like name@example.nhs.uk.",
        },
    )
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name."}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter their last name."}
    )
    field_order = ["email", "first_name", "last_name", "organisation", "role"]


class GiveRoleForm(_RoleChoiceMixin):
    pass
