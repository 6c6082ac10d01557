"""Every page each role's journey visits, checked with axe-core (WCAG 2.2 A and AA) at desktop
and phone widths, and at the phone width for fitting the screen; then the checks axe cannot make:
the main forms submitted empty name the field in each error, and every date is a fieldset with a
legend. One browser page per role; the URLs are the journeys' pages, reached directly."""

import datetime

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import timezone

from casefinding import services as casefinding
from casefinding.models import OutreachEntry
from coordinators import services as casework
from gp_messages.models import MessageMoment
from gp_messages.services import produce_message_back
from referrals import provider_links
from reports.models import MonthlySnapshot
from reports.pages import PAGES
from reports.services import build_monthly_snapshots
from tests.browser.accessibility import (
    NARROW,
    WIDE,
    assert_no_axe_violations,
    bare_error_messages,
    dates_without_legend,
    elements_past_the_right_edge,
    horizontal_overflow,
)
from tests.casefinding.conftest import csv_text, row
from tests.community_services.factories import (
    ApprovedServiceFactory,
    ProviderFactory,
    SubmittedServiceFactory,
)
from tests.coordinators.conftest import open_case
from tests.factories import current_totp_code
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journeys(practice_a, referrer_a, team_x, coordinator_x, provider_org):
    """A new referral waiting for triage, and an open case with a goal, a plan, a review due,
    a wellbeing measure, an onward referral and a message back to the practice."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    waiting = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    case.patient.consent_to_share = True
    case.patient.save()
    casework.record_conversation(
        case=case,
        by=coordinator_x,
        held_on=timezone.localdate(),
        what_matters="Seeing people.",
        three_months="Out weekly.",
    )
    goal = casework.add_goal(
        case=case, by=coordinator_x, statement="Eat with others", need_domain="loneliness"
    )
    casework.add_plan_action(
        case=case, by=coordinator_x, goal=goal, description="Phone my sister", owner="patient"
    )
    review = casework.schedule_review(
        case=case,
        by=coordinator_x,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
        mode="phone",
    )
    service = ApprovedServiceFactory(
        name="Tuesday Lunch Club",
        domains=["loneliness"],
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
        email="referrals@lunch.example",  # so the provider is sent a signed link
    )
    action = casework.refer_case_on(
        case=case,
        by=coordinator_x,
        service=service,
        goals=[goal],
        provider_needs_to_know="Uses a wheelchair.",
    )
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    upload = casefinding.confirm_upload(
        by=referrer_a, practice=practice_a, file_name="list.csv", text=csv_text(row("9434765919"))
    )
    casefinding.import_upload(upload_id=upload.pk)
    build_monthly_snapshots(now=timezone.now() + datetime.timedelta(days=32))
    return {
        "waiting": waiting,
        "case": case,
        "goal": goal,
        "review": review,
        "service": service,
        "service_referral": action.service_referral,
        "message": message,
        "submitted": SubmittedServiceFactory(name="Knit and Natter"),
        "upload": upload,
        "outreach": OutreachEntry.objects.get(upload=upload),
        "snapshot": MonthlySnapshot.objects.filter(team=team_x).first(),
    }


def _problems(page) -> list[str]:
    """What is wrong with the page as shown: axe's findings at both widths, overflow at 375 px,
    dates without a legend."""
    found = []
    if page.locator("main").count() != 1:
        return ["did not render a page"]
    try:
        assert_no_axe_violations(page)
    except AssertionError as failure:
        found.append(str(failure))
    page.set_viewport_size({"width": NARROW, "height": 800})
    overflow = horizontal_overflow(page)
    if overflow > 0:
        found.append(
            f"{overflow} px wider than a {NARROW} px phone: "
            + "; ".join(elements_past_the_right_edge(page))
        )
    page.set_viewport_size({"width": WIDE, "height": 800})
    found += [f"date {d} is not a fieldset with a legend" for d in dates_without_legend(page)]
    return found


def _walk(page, live_server, paths: list[str]) -> None:
    """Checks every page and then fails listing all that is wrong on all of them."""
    report = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        report[path] = _problems(page)
    assert not {path: found for path, found in report.items() if found}, "\n".join(
        f"{path}: {line}" for path, found in report.items() for line in found
    )


def _submit_empty(page, live_server, path: str) -> list[str]:
    """Submits the page's main form as it comes; returns the error summary's items (and checks
    the page with its errors shown, which axe must pass too)."""
    page.goto(f"{live_server.url}{path}")
    form = page.locator("main form[method='post']:has(.nhsuk-form-group)").first
    form.evaluate("form => { form.noValidate = true; }")
    form.locator("button[type='submit'], input[type='submit']").last.click()
    page.wait_for_load_state()
    items = page.locator(".nhsuk-error-summary__list li").all_inner_texts()
    assert items, f"{path}: submitting it empty showed no error summary"
    assert not _problems(page), _problems(page)
    return items


def test_the_referrers_pages_pass_axe_at_both_widths_and_fit_a_phone(
    page, live_server, log_in, referrer_a, password, journeys
):
    log_in(referrer_a)
    case, message = journeys["case"], journeys["message"]
    _walk(
        page,
        live_server,
        [
            reverse("referrals:practice-home"),
            reverse("referrals:new"),
            reverse("referrals:detail", args=[case.reference]),
            reverse("referrals:patient-declined", args=[journeys["waiting"].reference]),
            reverse("gp_messages:list"),
            reverse("casefinding:uploads"),
            reverse("casefinding:upload"),
            reverse("gp_messages:detail", args=[message.public_id]),
            reverse("accounts:notifications"),
            reverse("account_change_password"),
            reverse("casefinding:upload-detail", args=[journeys["upload"].pk]),
        ],
    )
    page.goto(f"{live_server.url}{reverse('referrals:new')}")
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert not _problems(page), _problems(page)
    # The case-finding preview: one row ready, one refused with its reason.
    page.goto(f"{live_server.url}{reverse('casefinding:upload')}")
    page.get_by_label("Case-finding list (CSV)").set_input_files(
        {
            "name": "list.csv",
            "mimeType": "text/csv",
            "buffer": csv_text(row("4010232137"), row("1234567890")).encode(),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Import 1 row" in page.locator("main").inner_text()
    assert not _problems(page), _problems(page)
    # Setting up an authenticator app: the password asked again, the QR code page, its error.
    page.goto(f"{live_server.url}{reverse('mfa_activate_totp')}")
    assert not _problems(page), _problems(page)
    page.get_by_label("Password").fill(password)
    page.locator("main form button[type='submit']:visible").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("mfa_activate_totp")), page.url
    assert not _problems(page), _problems(page)
    _submit_empty(page, live_server, reverse("mfa_activate_totp"))
    assert not bare_error_messages(page)


def test_the_coordinators_pages_pass_axe_at_both_widths_and_fit_a_phone(
    page, live_server, log_in, coordinator_x, journeys
):
    log_in(coordinator_x)
    case, waiting = journeys["case"].reference, journeys["waiting"].reference
    review, goal = journeys["review"].pk, journeys["goal"].pk
    _walk(
        page,
        live_server,
        [
            reverse("coordinators:home"),
            reverse("referrals:triage"),
            reverse("referrals:detail", args=[waiting]),
            reverse("referrals:accept", args=[waiting]),
            reverse("referrals:decline", args=[waiting]),
            reverse("referrals:contact-attempt", args=[waiting]),
            reverse("referrals:patient-search") + "?q=a",
            reverse("casefinding:worklist"),
            reverse("casefinding:entry", args=[journeys["outreach"].pk]),
            reverse("coordinators:upcoming-reviews"),
            reverse("coordinators:closed-cases"),
            reverse("coordinators:all-cases"),
            reverse("community_services:directory-search") + "?q=lunch",
            reverse("community_services:service-detail", args=[journeys["service"].public_id]),
            reverse("coordinators:case", args=[case]),
            reverse("coordinators:conversation-new", args=[case]),
            reverse("coordinators:goal-new", args=[case]),
            reverse("coordinators:goal-edit", args=[case, goal]),
            reverse("coordinators:measure-new", args=[case, "ons4"]),
            reverse("coordinators:measure-new", args=[case, "swemwbs"]),
            reverse("coordinators:plan-action-new", args=[case]),
            reverse("coordinators:review-record", args=[case, review]),
            reverse("coordinators:review-reschedule", args=[case, review]),
            reverse("coordinators:case-refer-on", args=[case]),
            reverse("referrals:service-referral", args=[case, journeys["service_referral"].pk]),
            reverse("coordinators:case-close", args=[case]),
        ],
    )


def test_the_managers_pages_pass_axe_at_both_widths_and_fit_a_phone(
    page, live_server, log_in, manager, journeys
):
    log_in(manager)
    case = journeys["case"].reference
    _walk(
        page,
        live_server,
        [
            reverse("coordinators:team-home"),
            reverse("coordinators:case-reassign", args=[case]),
            reverse("accounts:team-members"),
            reverse("accounts:audit-list"),
            reverse("accounts:operations"),
            reverse("reports:home"),
            reverse("reports:definitions"),
            reverse("reports:snapshots"),
            reverse("reports:snapshot", args=[journeys["snapshot"].pk]),
            reverse("reports:exports"),
            reverse("coordinators:subject-access", args=[journeys["case"].patient_id]),
            *[reverse("reports:report", args=[slug]) for slug in PAGES],
        ],
    )


def test_the_vetters_providers_and_commissioners_pages_pass_axe_at_both_widths_and_fit(
    page, live_server, log_in, vetter, provider, commissioner, journeys
):
    log_in(vetter)
    _walk(
        page,
        live_server,
        [
            reverse("community_services:vetter-home"),
            reverse("community_services:service-list"),
            reverse("community_services:service-create"),
            reverse("community_services:provider-create"),
            reverse("community_services:service-detail", args=[journeys["submitted"].public_id]),
            reverse("community_services:service-edit", args=[journeys["service"].public_id]),
        ],
    )
    page.get_by_role("button", name="Sign out").click()
    log_in(provider)
    _walk(page, live_server, [reverse("referrals:provider-home")])
    page.get_by_role("button", name="Sign out").click()
    log_in(commissioner)
    _walk(page, live_server, [reverse("reports:home"), reverse("reports:snapshots")])


def test_the_public_pages_pass_axe_at_both_widths_and_fit_a_phone(
    page, live_server, referrer_a, journeys
):
    link = journeys["service_referral"].links.get()
    reset_key = {
        "uidb36": user_pk_to_url_str(referrer_a),
        "key": default_token_generator.make_token(referrer_a),
    }
    _walk(
        page,
        live_server,
        [
            reverse("account_login"),
            reverse("account_reset_password"),
            reverse("account_reset_password_done"),
            reverse("account_reset_password_from_key", kwargs={**reset_key, "key": "wrong-key"}),
            reverse("referrals:self-referral"),
            # The page a provider opens from the emailed link to answer the onward referral.
            reverse("referrals:provider-link", args=[provider_links.token_for(link)]),
        ],
    )
    # The reset link from the email: the new password twice, then done.
    page.goto(f"{live_server.url}{reverse('account_reset_password_from_key', kwargs=reset_key)}")
    assert not _problems(page), _problems(page)
    page.get_by_label("New password", exact=True).fill("lantern-orchard-pebble-77")
    page.get_by_label("New password again").fill("lantern-orchard-pebble-77")
    page.locator("main form button[type='submit']:visible").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("account_reset_password_from_key_done")), page.url
    assert not _problems(page), _problems(page)


def test_the_superusers_pages_pass_axe_at_both_widths_and_fit_a_phone(
    page, live_server, superuser, password, journeys
):
    RecoveryCodes.activate(superuser)
    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("Email").fill(superuser.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("mfa_authenticate")), page.url
    assert not _problems(page), _problems(page)  # the second step of signing in
    page.get_by_label("Code").fill(current_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    _walk(
        page,
        live_server,
        [
            reverse("interop:clients"),
            reverse("mfa_index"),
            reverse("mfa_view_recovery_codes"),
        ],
    )
    # Registering a FHIR client shows its secret, once.
    page.goto(f"{live_server.url}{reverse('interop:clients')}")
    page.get_by_label("Organisation").select_option(index=1)
    page.get_by_label("Name").fill("Practice system")
    page.get_by_role("button", name="Register client").click()
    page.wait_for_load_state()
    assert "secret" in page.locator("main").inner_text().lower()
    assert not _problems(page), _problems(page)


def test_the_main_forms_submitted_empty_name_the_field_in_every_error(
    page, live_server, log_in, referrer_a, coordinator_x, vetter, journeys
):
    case, waiting = journeys["case"].reference, journeys["waiting"].reference
    forms = [
        (None, [reverse("referrals:self-referral"), reverse("account_reset_password")]),
        (referrer_a, [reverse("referrals:new")]),
        (
            coordinator_x,
            [
                reverse("referrals:decline", args=[waiting]),
                reverse("referrals:contact-attempt", args=[waiting]),
                reverse("coordinators:goal-new", args=[case]),
                reverse("coordinators:plan-action-new", args=[case]),
                reverse("coordinators:measure-new", args=[case, "ons4"]),
                reverse("coordinators:case-close", args=[case]),
            ],
        ),
        (vetter, [reverse("community_services:service-create")]),
    ]
    bare = {}
    for user, paths in forms:
        if user is not None:
            log_in(user)
        for path in paths:
            _submit_empty(page, live_server, path)
            bare[path] = bare_error_messages(page)
        if user is not None:
            page.get_by_role("button", name="Sign out").click()
    unnamed = {path: items for path, items in bare.items() if items}
    assert not unnamed, f"error messages that do not name their field: {unnamed}"
