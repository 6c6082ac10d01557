"""The provider's own listings: it says whether it takes referrals and who receives them."""

from django.shortcuts import render
from django.urls import reverse

from accounts.models import Role
from accounts.permissions import role_required
from common.form_pages import form_page

from . import services
from .forms import ListingForm
from .selectors import service_for_provider_user, services_of_provider_user


@role_required(Role.PROVIDER)
def provider_services(request):
    return render(
        request,
        "community_services/provider_services.html",
        {"services": list(services_of_provider_user(request.user))},
    )


@role_required(Role.PROVIDER)
def provider_listing(request, public_id):
    service = service_for_provider_user(request.user, public_id)
    form = ListingForm(request.POST or None, instance=service)
    url = reverse("community_services:provider-listing", args=[service.public_id])
    return form_page(
        request,
        form,
        lambda data: services.update_availability(
            by=request.user,
            service=service,
            **{name: data[name] for name in services.LISTING_FIELDS},
        ),
        done=f"{service.name}: your listing is up to date.",
        success_url=reverse("community_services:provider-services"),
        refusal_url=None,
        render_page=lambda: render(
            request,
            "community_services/provider_listing.html",
            {"form": form, "service": service, "listing_url": url},
        ),
    )
