"""A URLconf for the error-reporting test: a page that fails while holding patient details (in
its body, query string and exception message), as a real bug might."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def failing_page(request: HttpRequest) -> HttpResponse:
    nhs_number = request.POST.get("nhs_number", "")
    raise ValueError(f"could not match patient {request.GET.get('name')} ({nhs_number})")


def failing_with_details(request: HttpRequest) -> HttpResponse:
    """As a bug in a form page might fail: its message quotes what was typed."""
    data = {"given_name": "Ianto", "date_of_birth": "03/05/1950"}
    raise ValueError(f"no match for 943 476 5919 (ianto@example.org, LS1 4AP) from {data}")


urlpatterns = [path("failing/", failing_page), path("failing-details/", failing_with_details)]
