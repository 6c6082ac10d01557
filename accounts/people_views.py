"""The people page: managers (their teams) and superusers invite people, give and remove
roles and deactivate accounts; the rules and audit rows are in accounts.services.people."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.form_pages import form_page

from .models import Membership, Role
from .people_forms import GiveRoleForm, InviteForm
from .permissions import role_required
from .selectors import organisations_for_granting, people_for, person_for
from .services import (
    MANAGER_GRANTABLE_ROLES,
    PeopleChangeRefused,
    deactivate_person,
    give_role,
    invite_user,
    may_manage_person,
    record_audit_event,
    remove_role,
)


def _grantable_roles(user) -> tuple[str, ...]:
    return tuple(Role.values) if user.is_superuser else MANAGER_GRANTABLE_ROLES


def _role_form(form_class, request, data=None):
    return form_class(
        data,
        organisations=organisations_for_granting(request.user),
        roles=_grantable_roles(request.user),
    )


@role_required(Role.MANAGER, allow_superuser=True)
def people(request):
    everyone = list(people_for(request.user))
    record_audit_event(
        actor=request.user,
        action="view_list",
        object_type="user",
        detail=f"people: {len(everyone)}",
    )
    return render(request, "accounts/people.html", {"people": everyone})


@role_required(Role.MANAGER, allow_superuser=True)
def person_invite(request):
    form = _role_form(InviteForm, request, request.POST or None)
    return form_page(
        request,
        form,
        lambda data: invite_user(by=request.user, **data),
        done=lambda user: (
            f"{user.display_name} is invited: we have emailed them a link to "
            "choose a password and set up two-factor authentication."
        ),
        success_url=reverse("accounts:people"),
        refusal_url=None,
        render_page=lambda: render(request, "accounts/person_invite.html", {"form": form}),
    )


@role_required(Role.MANAGER, allow_superuser=True)
def person_detail(request, user_id: int):
    person = person_for(request.user, user_id)
    form = _role_form(GiveRoleForm, request, request.POST or None)
    return form_page(
        request,
        form,
        lambda data: give_role(by=request.user, person=person, **data),
        done=lambda m: (
            f"{person.display_name} is now {m.get_role_display().lower()} at {m.organisation.name}."
        ),
        success_url=reverse("accounts:person", args=[person.pk]),
        refusal_url=None,
        render_page=lambda: render(
            request,
            "accounts/person.html",
            {
                "person": person,
                "form": form,
                "may_manage": may_manage_person(request.user, person),
                "grantable_roles": _grantable_roles(request.user),
                "my_organisations": {o.pk for o in organisations_for_granting(request.user)},
            },
        ),
    )


@role_required(Role.MANAGER, allow_superuser=True)
@require_POST
def person_remove_role(request, user_id: int, membership_id: int):
    person = person_for(request.user, user_id)
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"), pk=membership_id, user=person
    )
    try:
        remove_role(by=request.user, membership=membership)
    except (PermissionDenied, PeopleChangeRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{person.display_name} is no longer {membership.get_role_display().lower()} at "
            f"{membership.organisation.name}.",
        )
    return redirect("accounts:person", user_id=person.pk)


@role_required(Role.MANAGER, allow_superuser=True)
@require_POST
def person_deactivate(request, user_id: int):
    person = person_for(request.user, user_id)
    try:
        deactivate_person(by=request.user, person=person)
    except (PermissionDenied, PeopleChangeRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{person.display_name} can no longer sign in.")
    return redirect("accounts:person", user_id=person.pk)
