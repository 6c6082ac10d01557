from django import forms

from accounts.models import Organisation
from common.forms import NHSForm

from .scopes import GRANTS_BY_KIND


class RegisterClientForm(NHSForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind__in=list(GRANTS_BY_KIND)).order_by("name"),
        help_text="The client sees exactly what a person of this organisation would see.",
    )
    name = forms.CharField(max_length=200, help_text="The system, for example its supplier.")
