"""handler403 and handler404: NHS-styled pages with a way back for the browser; the API, the
FHIR server and the HSDS feed keep answering JSON (their views' own errors come from DRF)."""

from django.http import HttpResponse, JsonResponse
from django.views import defaults

from .hostile_input import JSON_PREFIXES


def _json(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def permission_denied(request, exception=None) -> HttpResponse:
    if _json(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action.", "code": "forbidden"},
            status=403,
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None) -> HttpResponse:
    if _json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
