import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_through_the_form_and_sees_their_home(
    page, live_server, log_in, coordinator_x
):
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(coordinator_x)
    assert page.url == f"{live_server.url}/coordinator/"
    assert page.get_by_role("heading", level=1).inner_text() == "Your caseload"
    assert page.get_by_test_id("header-role").inner_text() == "Coordinator"
    assert page.get_by_test_id("header-organisation").inner_text() == "Team X"
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_wrong_password_shows_the_error_summary(page, live_server, coordinator_x):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(coordinator_x.email)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "There is a problem"
