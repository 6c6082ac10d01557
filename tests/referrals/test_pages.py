import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification
from referrals import services
from referrals.models import Patient, Referral
from referrals.new_referral_views import SESSION_NHS_NUMBER
from tests.referrals.factories import PatientFactory, ReferralFactory
from tests.referrals.new_referral import form_token, post_steps, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _details(**overrides):
    return {
        "given_name": "Ianto",
        "family_name": "Testperson",
        "date_of_birth_day": "17",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1961",
        "preferred_contact_method": "phone",
        "reasons": ["loneliness", "bereavement"],
        "help_wanted": "Would like to meet people after losing his wife.",
        "urgency": "routine",
        "consent_to_referral": "on",
        **overrides,
    }


def _start(client, nhs_number="943 476 5919"):
    return client.post(reverse("referrals:new"), {"nhs_number": nhs_number})


def _send(client, **overrides):
    return send(client, _details(**overrides), follow=True)


# --- New referral


def test_a_referrer_submits_a_referral_and_gets_a_reference_number(as_user, referrer_a, team_x):
    client = as_user(referrer_a)
    assert _start(client).url == reverse("referrals:new-step", args=["patient"])
    response = _send(client)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "referrals:confirmation", args=[referral.reference]
    )
    assert referral.reference in response.content.decode()
    assert (referral.patient.nhs_number, referral.team) == ("9434765919", team_x)
    assert referral.reasons == ["bereavement", "loneliness"]


def test_an_invalid_nhs_number_gets_a_field_error_and_the_error_summary(as_user, referrer_a):
    page = _start(as_user(referrer_a), "943 476 5918").content.decode()
    assert "There is a problem" in page
    assert 'id="id_nhs_number-error"' in page
    assert "check digit" in page


def test_missing_details_show_errors_by_each_field_and_write_nothing(as_user, referrer_a):
    client = as_user(referrer_a)
    _start(client)
    step = reverse("referrals:new-step", args=["patient"])
    page = client.post(step, _details(date_of_birth_day="31", date_of_birth_month="2")).content
    assert 'id="id_date_of_birth-error"' in page.decode()
    assert "Date of birth must be a real date" in page.decode()
    page = client.post(step, {}).content.decode()
    assert "Enter the patient&#x27;s first name" in page
    assert 'href="#id_given_name"' in page  # the error summary links to the field
    post_steps(client, _details())
    data = _details()
    del data["reasons"]
    page = client.post(reverse("referrals:new-step", args=["contact"]), data).content.decode()
    assert 'id="id_reasons-error"' in page
    page = client.post(reverse("referrals:new-step", args=["consent"]), {}).content.decode()
    assert 'id="id_consent_to_referral-error"' in page
    assert "The patient must consent to be referred." in page
    assert not Referral.objects.exists() and not Patient.objects.exists()


def test_a_known_patient_is_matched_not_duplicated_and_the_open_referral_is_flagged_to_the_team(
    as_user, referrer_a, practice_a, team_x, coordinator_x
):
    """The open-referral warning is the team's: shown to a referrer, it would tell any referrer
    whether a number was known."""
    patient = PatientFactory(nhs_number="9434765919", registered_practice=practice_a)
    first = ReferralFactory(
        patient=patient, referring_practice=practice_a, referred_by=referrer_a, team=team_x
    )
    client = as_user(referrer_a)
    _start(client)
    page = client.get(reverse("referrals:new-step", args=["patient"])).content.decode()
    assert 'data-testid="open-referral-warning"' not in page
    assert patient.given_name in page  # prefilled from the practice's own last referral
    _send(client)
    assert Patient.objects.count() == 1
    second = Referral.objects.exclude(pk=first.pk).get(patient=patient)
    team = as_user(coordinator_x)
    for url in (reverse("referrals:triage"), reverse("referrals:detail", args=[second.reference])):
        assert 'data-testid="open-referral-warning"' in team.get(url).content.decode()


def test_the_steps_without_an_nhs_number_go_back_to_finding_the_patient(as_user, referrer_a):
    client = as_user(referrer_a)
    for url in (reverse("referrals:new-step", args=["patient"]), reverse("referrals:new-check")):
        assert client.get(url).url == reverse("referrals:new")


def test_the_date_of_birth_uses_the_nhs_date_input(as_user, referrer_a):
    client = as_user(referrer_a)
    _start(client)
    page = client.get(reverse("referrals:new-step", args=["patient"])).content.decode()
    assert 'class="nhsuk-date-input"' in page
    assert 'name="date_of_birth_year"' in page
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Date of birth' in page
    page = client.get(reverse("referrals:new-step", args=["contact"])).content.decode()
    assert 'class="nhsuk-radios__input"' in page and 'class="nhsuk-checkboxes__input"' in page


# --- Our referrals and scoping


def test_our_referrals_shows_status_coordinator_name_and_outcome(
    as_user, referral_a, referrer_a, coordinator_x
):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    services.close_referral(
        referral=referral_a, by=coordinator_x, outcome="goals_met", summary="Joined a choir."
    )
    page = as_user(referrer_a).get(reverse("referrals:practice-home")).content.decode()
    assert referral_a.reference in page
    assert "Closed" in page and coordinator_x.display_name in page
    assert "Goals met: Joined a choir." in page
    assert coordinator_x.email not in page


def test_our_referrals_lists_only_the_practice_own(as_user, referral_a, referral_b, referrer_a):
    page = as_user(referrer_a).get(reverse("referrals:practice-home")).content.decode()
    assert referral_a.reference in page
    assert referral_b.reference not in page


def test_another_practice_referral_is_a_404_on_pages(as_user, referral_b, referrer_a):
    client = as_user(referrer_a)
    for name in ("detail", "confirmation", "patient-declined"):
        assert (
            client.get(reverse(f"referrals:{name}", args=[referral_b.reference])).status_code == 404
        )


def test_another_team_gets_404_for_triage_pages(as_user, referral_a, coordinator_y):
    client = as_user(coordinator_y)
    assert client.get(reverse("referrals:detail", args=[referral_a.reference])).status_code == 404
    assert client.post(reverse("referrals:accept", args=[referral_a.reference])).status_code == 404
    assert referral_a.reference not in client.get(reverse("referrals:triage")).content.decode()


def test_a_referrer_cannot_open_the_triage_pages(as_user, referral_a, referrer_a):
    client = as_user(referrer_a)
    assert client.get(reverse("referrals:triage")).status_code == 403
    assert client.get(reverse("referrals:accept", args=[referral_a.reference])).status_code == 403


# --- Triage


def test_the_triage_queue_puts_urgent_first_then_oldest_and_shows_waiting_time(
    as_user, coordinator_x, referrer_a, practice_a, team_x
):
    now = timezone.now()
    make = lambda days, urgency: ReferralFactory(  # noqa: E731
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        urgency=urgency,
        received_at=now - timezone.timedelta(days=days),
    )
    routine_old, routine_new = make(9, "routine"), make(1, "routine")
    urgent_new, urgent_old = make(2, "urgent"), make(5, "urgent")
    page = as_user(coordinator_x).get(reverse("referrals:triage")).content.decode()
    order = [r.reference for r in (urgent_old, urgent_new, routine_old, routine_new)]
    assert sorted(order, key=page.index) == order
    assert "1\xa0week, 2\xa0days" in page  # the oldest has waited nine days


def test_a_coordinator_accepts_and_assigns_a_colleague_from_the_page(
    as_user, referral_a, coordinator_x, manager
):
    client = as_user(manager)
    form = client.get(reverse("referrals:accept", args=[referral_a.reference])).content.decode()
    assert "Me (" in form and coordinator_x.display_name in form
    response = client.post(
        reverse("referrals:accept", args=[referral_a.reference]),
        {"assign_to": coordinator_x.pk},
        follow=True,
    )
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.assigned_to) == ("accepted", coordinator_x)
    assert "Record first contact" in response.content.decode()


def test_accepting_a_taken_referral_shows_the_message_not_an_error(
    as_user, referral_a, coordinator_x, manager
):
    services.accept_referral(referral=referral_a, by=manager)
    response = as_user(coordinator_x).post(
        reverse("referrals:accept", args=[referral_a.reference]),
        {"assign_to": coordinator_x.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "already accepted and assigned to" in response.content.decode()


def test_decline_first_contact_unable_and_close_pages_change_the_state(
    as_user, coordinator_x, referrer_a, practice_a, team_x
):
    client = as_user(coordinator_x)
    one, two, three = (
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
        for _ in range(3)
    )
    client.post(reverse("referrals:decline", args=[one.reference]), {"reason": "not_eligible"})
    for referral in (two, three):
        services.accept_referral(referral=referral, by=coordinator_x)
    today = timezone.localdate()
    client.post(
        reverse("referrals:first-contact", args=[two.reference]),
        {
            "contacted_on_day": today.day,
            "contacted_on_month": today.month,
            "contacted_on_year": today.year,
            "method": "phone",
        },
    )
    # An in-progress referral is a case: it closes on the case page, with a summary.
    client.post(
        reverse("coordinators:case-close", args=[two.reference]),
        {"outcome": "moved_away", "summary": "Moved to another area."},
    )
    services.record_contact_attempt(
        referral=three,
        by=coordinator_x,
        attempted_on=timezone.localdate(),
        method="phone",
        outcome="no_answer",
    )
    client.post(reverse("referrals:unable", args=[three.reference]), {"note": ""})
    statuses = {r.pk: (r.status, r.outcome) for r in Referral.objects.all()}
    assert statuses == {
        one.pk: ("declined", ""),
        two.pk: ("closed", "moved_away"),
        three.pk: ("closed", "unable_to_contact"),
    }


def test_a_future_first_contact_date_is_a_field_error(as_user, referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    future = timezone.localdate() + timezone.timedelta(days=2)
    page = (
        as_user(coordinator_x)
        .post(
            reverse("referrals:first-contact", args=[referral_a.reference]),
            {
                "contacted_on_day": future.day,
                "contacted_on_month": future.month,
                "contacted_on_year": future.year,
                "method": "phone",
            },
        )
        .content.decode()
    )
    assert "must be today or in the past" in page
    referral_a.refresh_from_db()
    assert referral_a.status == "accepted"


def test_the_referrer_sees_the_notice_and_opening_it_marks_it_read(
    as_user, referral_a, referrer_a, coordinator_x
):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    client = as_user(referrer_a)
    home = client.get(reverse("referrals:practice-home")).content.decode()
    assert "1 update since your last visit" in home  # Our referrals folds the notices in a line
    notices = client.get(reverse("accounts:notifications")).content.decode()
    assert "was accepted by Team X" in notices
    client.get(reverse("referrals:detail", args=[referral_a.reference]))
    assert Notification.objects.get().read_at is not None


# --- Audit


def test_page_views_of_referrals_and_lists_are_audited(
    as_user, referral_a, referrer_a, coordinator_x
):
    as_user(referrer_a).get(reverse("referrals:detail", args=[referral_a.reference]))
    as_user(referrer_a).get(reverse("referrals:practice-home"))
    as_user(coordinator_x).get(reverse("referrals:triage"))
    views = set(
        AuditEvent.objects.filter(action__in=["view", "view_list"]).values_list(
            "actor_label", "action", "object_id", "patient_id"
        )
    )
    listed = (str(referral_a.pk), str(referral_a.patient_id))
    assert (referrer_a.email, "view", *listed) in views
    assert (referrer_a.email, "view_list", *listed) in views
    assert (coordinator_x.email, "view_list", *listed) in views


def test_a_prefilled_patient_view_is_audited(as_user, referrer_a, practice_a, team_x):
    patient = PatientFactory(nhs_number="9434765919", registered_practice=practice_a)
    ReferralFactory(
        patient=patient, referring_practice=practice_a, referred_by=referrer_a, team=team_x
    )
    client = as_user(referrer_a)
    _start(client)
    client.get(reverse("referrals:new-step", args=["patient"]))
    assert AuditEvent.objects.filter(
        action="view", object_type="patient", object_id=str(patient.pk)
    ).exists()


# --- Query counts stay constant as rows grow


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("referrer_a", "referrals:practice-home"), ("coordinator_x", "referrals:triage")],
)
def test_list_pages_use_the_same_number_of_queries_for_1_or_20_rows(
    request,
    as_user,
    referrer_a,
    practice_a,
    team_x,
    coordinator_x,
    who,
    url_name,
    django_assert_num_queries,
):
    client = as_user(request.getfixturevalue(who))
    url = reverse(url_name)
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    client.get(url)  # warm the session
    one_row = _queries(client, url)
    for _ in range(19):
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    with django_assert_num_queries(one_row):
        client.get(url)


def test_the_detail_page_query_count_does_not_grow_with_history(
    as_user, referral_a, coordinator_x, django_assert_num_queries
):
    client = as_user(coordinator_x)
    url = reverse("referrals:detail", args=[referral_a.reference])
    client.get(url)
    before = _queries(client, url)
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    with django_assert_num_queries(before):
        client.get(url)


@pytest.mark.parametrize("number", ["٩٤٣ ٤٧٦ ٥٩١٩", "９４３４７６５９１９", "000 000 0000"])
def test_an_nhs_number_of_non_ascii_digits_or_never_issued_is_a_field_error(
    as_user, referrer_a, number
):
    response = _start(as_user(referrer_a), number)
    assert response.status_code == 200
    assert 'id="id_nhs_number-error"' in response.content.decode()


# --- The form is sent once per submission token


def test_two_posts_of_the_same_form_give_one_referral_and_both_land_on_its_confirmation(
    as_user, referrer_a
):
    client = as_user(referrer_a)
    _start(client)
    post_steps(client, _details())
    data = {"submission_token": form_token(client)}
    answers = client.session["new_referral_answers"]
    first = client.post(reverse("referrals:new-check"), data)
    # The second click's request read the session before the first one finished.
    session = client.session
    session[SESSION_NHS_NUMBER] = "9434765919"
    session["new_referral_answers"] = answers
    session.save()
    second = client.post(reverse("referrals:new-check"), data)
    referral = Referral.objects.get()
    confirmation = reverse("referrals:confirmation", args=[referral.reference])
    assert first.url == confirmation and second.url == confirmation


def test_the_same_token_posted_again_after_starting_another_referral_creates_nothing(
    as_user, referrer_a
):
    client = as_user(referrer_a)
    _start(client)
    post_steps(client, _details())
    data = {"submission_token": form_token(client)}
    client.post(reverse("referrals:new-check"), data)
    _start(client, "999 000 0018")
    post_steps(client, _details())
    client.post(reverse("referrals:new-check"), data)
    assert Referral.objects.count() == 1


def test_a_form_without_a_token_this_session_was_given_creates_nothing_and_says_why(
    as_user, referrer_a
):
    client = as_user(referrer_a)
    _start(client)
    post_steps(client, _details())
    for token in ("", "made-up"):
        page = client.post(
            reverse("referrals:new-check"), {"submission_token": token}
        ).content.decode()
        assert "This form has expired" in page
        assert 'name="submission_token" value="' in page
    assert not Referral.objects.exists()


def test_a_step_with_errors_can_be_corrected_and_the_referral_then_sent(as_user, referrer_a):
    client = as_user(referrer_a)
    _start(client)
    assert post_steps(client, _details(help_wanted="")).status_code == 200
    response = send(client, _details())
    assert response.status_code == 302 and Referral.objects.count() == 1
