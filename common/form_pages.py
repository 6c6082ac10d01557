"""The one shape of a page that changes something: form → service call → refusal message or
redirect, so every app's pages answer bad input, a refused change and success alike."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from common.errors import DomainError

T = TypeVar("T")


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    run: Callable[[Mapping[str, Any]], T],
    *,
    done: str | Callable[[T], str],
    success_url: str,
    refusal_url: str | None,
    render_page: Callable[[], HttpResponse],
) -> HttpResponse:
    """A valid POST runs `run` (one service function) with the cleaned data. Its field errors
    go next to the fields; a refusal (a DomainError) is a message on `refusal_url`, or above
    the form when that is None, so it can be put right; success is the `done` message (or one
    made from what `run` returned) on `success_url`. Anything else renders the form page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except DomainError as exc:
            if refusal_url is None:
                form.add_error(None, str(exc))
            else:
                messages.error(request, str(exc))
                return redirect(refusal_url)
        else:
            messages.success(request, done if isinstance(done, str) else done(result))
            return redirect(success_url)
    return render_page()


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's errors on the form: by field where the form has it, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
