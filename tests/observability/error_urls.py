"""A URLconf for the error-reporting test: a page that fails while holding patient details (in
its body, query string and exception message), as a real bug might."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def failing_page(request: HttpRequest) -> HttpResponse:
    nhs_number = request.POST.get("nhs_number", "")
    raise ValueError(f"could not match patient {request.GET.get('name')} ({nhs_number})")


urlpatterns = [path("failing/", failing_page)]
