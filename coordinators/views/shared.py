"""What the casework pages share: who may use them, and the form page every change goes
through (form → service call → refusal message or redirect)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from common.errors import DomainError

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
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            if not refusal_on_form:
                messages.error(request, str(exc))
                return redirect("coordinators:case", reference=case.reference)
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("coordinators:case", reference=case.reference)
    return render(
        request,
        template or "coordinators/form_page.html",
        {"case": case, "form": form, "heading": heading, "button": button, **(extra or {})},
    )


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _open_case(request, reference):
    return selectors.get_case(request.user, reference)
