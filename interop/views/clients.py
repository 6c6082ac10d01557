"""The superuser's page for FHIR clients: register one for an organisation (the secret is shown
once), see them all, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import services
from ..forms import RegisterClientForm
from ..models import FhirClient


def _superuser_only(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied("Only a superuser manages FHIR clients.")


@login_required
def client_list(request):
    _superuser_only(request)
    form = RegisterClientForm(request.POST or None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.register_client(
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = RegisterClientForm()
    clients = FhirClient.objects.select_related("application", "organisation").order_by(
        "organisation__name", "name", "id"
    )
    return render(
        request,
        "interop/clients.html",
        {"form": form, "clients": clients, "registered": registered},
    )


@login_required
@require_POST
def client_revoke(request, client_id: int):
    _superuser_only(request)
    client = get_object_or_404(FhirClient.objects.select_related("organisation"), pk=client_id)
    services.revoke_client(client=client, by=request.user)
    messages.success(request, f"{client.name} ({client.organisation}) can no longer call the API.")
    return redirect("interop:clients")
