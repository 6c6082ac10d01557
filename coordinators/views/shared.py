"""What the casework pages share: who may use them, and the case's form page (the one form
page of `common.form_pages`, with the open-case check and the audited read)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from common.form_pages import form_page

from .. import selectors, services


def _form_page(
    request,
    case,
    form,
    run,
    *,
    heading,
    button,
    done,
    template=None,
    extra=None,
    what="case",
    refusal_on_form=False,
):
    """GET shows the form (an audited read); POST runs one service function. A refused change
    is shown as a message on the case page (or, with `refusal_on_form`, above the form so it
    can be put right), never a 500."""
    if not case.is_open_case:
        messages.error(
            request, f"Case {case.reference} is {case.get_status_display().lower()}: no changes."
        )
        return redirect("coordinators:case", reference=case.reference)
    if request.method == "GET":
        services.record_case_viewed(case=case, by=request.user, what=what, via=heading)
    case_url = reverse("coordinators:case", kwargs={"reference": case.reference})
    return form_page(
        request,
        form,
        run,
        done=done,
        success_url=case_url,
        refusal_url=None if refusal_on_form else case_url,
        render_page=lambda: render(
            request,
            template or "coordinators/form_page.html",
            {"case": case, "form": form, "heading": heading, "button": button, **(extra or {})},
        ),
    )


def _open_case(request, reference):
    return selectors.get_case(request.user, reference)
