"""The practice lead's pages: upload a list, check the preview, confirm, watch the import.
Thin: the services check and import, the selectors scope."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import role_required

from . import selectors, services
from .csv_format import COLUMNS, REQUIRED_COLUMNS, WrongColumns
from .forms import UploadForm

PREVIEW_KEY = "case-finding-preview:{user}:{token}"
PREVIEW_SECONDS = 3600
BAD_ROWS_SHOWN = 500


def _lead_practices(request):
    practices = selectors.lead_practices(request.user)
    if not practices:
        raise PermissionDenied("Only a practice lead can upload case-finding lists.")
    return practices


@role_required(Role.REFERRER)
def uploads(request):
    """The practice's lists and, for its records, who declined with the SNOMED CT code."""
    _lead_practices(request)
    declined = list(selectors.declined_for_practice(request.user)[:200])
    services.record_outreach_list_viewed(
        by=request.user, what="declined for the practice", entries=declined
    )
    return render(
        request,
        "casefinding/uploads.html",
        {"uploads": selectors.uploads_for(request.user).defer("rows")[:50], "declined": declined},
    )


@role_required(Role.REFERRER)
@require_http_methods(["GET", "POST"])
def upload(request):
    """Check the file and show the preview. Nothing is saved: the file's text waits in the
    cache (an hour) for the lead to confirm."""
    practices = _lead_practices(request)
    form = UploadForm(request.POST or None, request.FILES or None, practices=practices)
    if request.method == "POST" and form.is_valid():
        practice, file = form.cleaned_data["practice"], form.cleaned_data["file"]
        try:
            text = services.decode_upload(file.read())
            checked = services.check_upload(by=request.user, practice=practice, text=text)
        except WrongColumns as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            token = hashlib.sha256(text.encode()).hexdigest()
            cache.set(
                PREVIEW_KEY.format(user=request.user.pk, token=token),
                {"text": text, "file_name": file.name, "practice_id": practice.pk},
                PREVIEW_SECONDS,
            )
            return render(
                request,
                "casefinding/preview.html",
                {
                    "checked": checked,
                    "bad_rows": checked.bad[:BAD_ROWS_SHOWN],
                    "token": token,
                    "file_name": file.name,
                    "practice": practice,
                },
            )
    return render(
        request,
        "casefinding/upload.html",
        {"form": form, "columns": COLUMNS, "required": REQUIRED_COLUMNS},
    )


@role_required(Role.REFERRER)
@require_POST
def confirm(request):
    practices = {p.pk: p for p in _lead_practices(request)}
    token = request.POST.get("token", "")[:64]
    kept = cache.get(PREVIEW_KEY.format(user=request.user.pk, token=token))
    if not kept or kept["practice_id"] not in practices:
        return render(request, "casefinding/preview_expired.html", status=409)
    try:
        created = services.confirm_upload(
            by=request.user,
            practice=practices[kept["practice_id"]],
            file_name=kept["file_name"],
            text=kept["text"],
        )
    except (ValidationError, WrongColumns):
        return render(request, "casefinding/preview_expired.html", status=409)
    cache.delete(PREVIEW_KEY.format(user=request.user.pk, token=token))
    return redirect("casefinding:upload-detail", pk=created.pk)


@role_required(Role.REFERRER)
def upload_detail(request, pk):
    _lead_practices(request)
    return render(
        request,
        "casefinding/upload_detail.html",
        {"upload": selectors.get_upload(request.user, pk)},
    )


@role_required(Role.REFERRER)
def upload_progress(request, pk):
    """The fragment htmx polls every second until the import has finished."""
    _lead_practices(request)
    return render(
        request,
        "casefinding/includes/progress.html",
        {"upload": selectors.get_upload(request.user, pk)},
    )
