"""NHS-styled error pages with a way back for the browser; the API keeps its JSON (issue 19,
item 12)."""

import pytest
from django.urls import reverse

from config.error_pages import page_not_found, permission_denied
from config.unavailable import server_error

pytestmark = pytest.mark.django_db


def _is_nhs_page_with_a_way_back(page: str) -> bool:
    return "nhsuk-header" in page and 'data-testid="way-back"' in page and 'href="/"' in page


def test_a_page_the_user_may_not_open_is_an_nhs_403_page_with_a_way_back(
    client, referrer_a, password
):
    client.login(email=referrer_a.email, password=password)
    response = client.get(reverse("referrals:triage"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in page and _is_nhs_page_with_a_way_back(page)


def test_an_unknown_address_is_an_nhs_404_page_with_a_way_back(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and _is_nhs_page_with_a_way_back(page)


def test_a_bad_request_is_an_nhs_400_page_with_a_way_back(client):
    response = client.get("/referrals/%00/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "there is a problem with that request" in page and _is_nhs_page_with_a_way_back(page)


def test_a_server_error_is_an_nhs_500_page_with_a_way_back(rf):
    response = server_error(rf.get("/practice/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "there is a problem with the service" in page and _is_nhs_page_with_a_way_back(page)


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/hsds/nope/"])
def test_the_api_answers_an_unknown_address_with_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_fhir_server_answers_an_unknown_address_with_an_operation_outcome(client):
    response = client.get("/fhir/R4/NoSuchType")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response.json()["issue"][0]["code"] == "not-found"


def test_the_api_handlers_answer_json_for_403_and_500(rf):
    request = rf.get("/api/v1/referrals/")
    for response, status in (
        (permission_denied(request), 403),
        (page_not_found(request), 404),
        (server_error(request), 500),
    ):
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")


def test_the_error_pages_are_the_site_handlers():
    from config import urls

    assert urls.handler403 == "config.error_pages.permission_denied"
    assert urls.handler404 == "config.error_pages.page_not_found"
