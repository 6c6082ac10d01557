"""Who may call what: the policy the permission matrix test holds every route to.

The world is practice A's patient, referred to and held by team X (see `tests.matrix_world`).
Each route name maps to the methods checked and, per method, the outcome for each actor:

  ok      reached the app: 2xx, a redirect into the app, or a 400/409/422 from an empty body
  403     signed in, but the role may not use the route
  404     the role may use the route, but this object is outside the actor's scope
  405     the role may use the route, but not with this method
  login   anonymous: a redirect to the login page, or 401/403 from the API

Anyone not named in an expectation gets its `others` outcome (403 unless said otherwise) and the
anonymous visitor `login`. `patient=` names the audit action a read or change of patient data
writes; `tests/test_audit_completeness.py` walks those routes. A new route is one line here.
"""

import dataclasses
from collections.abc import Callable

from referrals import attendance_links

ANONYMOUS = "anonymous"
ACTORS = (
    ANONYMOUS,
    "referrer_a",
    "referrer_b",
    "coordinator_x",
    "coordinator_y",
    "manager_x",
    "vetter",
    "provider",
    "commissioner",
    "superuser",
)
SIGNED_IN = frozenset(ACTORS) - {ANONYMOUS}
OK, DENIED, HIDDEN, METHOD, LOGIN = "ok", "403", "404", "405", "login"

# Route families not in the matrix, and why.
SKIPPED = {
    "admin/": "Django's admin: staff only (is_staff), signed in through allauth with the second "
    "factor, its patient views audited: tests/accounts/test_admin.py",
    "accounts/": "allauth's own login, password and two-factor pages: tested in tests/accounts",
    "static/": "static files carry no data",
    "api/schema/": "the OpenAPI schema holds no data; signed-in only unless API_SCHEMA_PUBLIC: "
    "tests/test_api.py",
    "api/docs/": "Swagger UI over the schema, likewise: tests/test_api.py",
}

# Role groups.
REFERRER_A, REFERRER_B = frozenset({"referrer_a"}), frozenset({"referrer_b"})
REFERRERS = REFERRER_A | REFERRER_B
TEAM_X = frozenset({"coordinator_x", "manager_x"})
OTHER_TEAM = frozenset({"coordinator_y"})
TEAM = TEAM_X | OTHER_TEAM
MANAGER_X = frozenset({"manager_x"})
MANAGERS = MANAGER_X | {"superuser"}
VETTER = frozenset({"vetter"})
STAFF = TEAM | VETTER
PROVIDER = frozenset({"provider"})
COMMISSIONER = frozenset({"commissioner"})
# Who reads the reports: managers (their teams), commissioners (the teams they commission,
# aggregated and suppressed) and superusers.
REPORT_READERS = MANAGERS | COMMISSIONER
EVERYONE = frozenset(ACTORS)


@dataclasses.dataclass(frozen=True)
class Expect:
    ok: frozenset = frozenset()
    hidden: frozenset = frozenset()
    wrong_method: frozenset = frozenset()
    others: str = DENIED
    anonymous: str = LOGIN

    def outcome(self, actor: str) -> str:
        for outcome, actors in ((OK, self.ok), (HIDDEN, self.hidden), (METHOD, self.wrong_method)):
            if actor in actors:
                return outcome
        return self.anonymous if actor == ANONYMOUS else self.others


def expect(ok=(), hidden=(), method=(), others=DENIED, anonymous=LOGIN) -> Expect:
    return Expect(frozenset(ok), frozenset(hidden), frozenset(method), others, anonymous)


@dataclasses.dataclass(frozen=True)
class Route:
    checks: dict[str, Expect]
    obj: str | None = None  # what the route's pk/id names (see matrix_world.object_key)
    patient: dict[str, str] = dataclasses.field(default_factory=dict)  # method → audit action
    path_parameter: Callable | None = None


def route(obj=None, patient=None, **checks: Expect) -> Route:
    return Route(checks=checks, obj=obj, patient=patient or {})


# The usual shapes.
PUBLIC = expect(ok=EVERYONE)
SIGNED_IN_OK = expect(ok=SIGNED_IN)
POST_ONLY_SIGNED_IN = expect(method=SIGNED_IN)


def only(group) -> Expect:
    """Lists and pages of one role group (each sees its own scope)."""
    return expect(ok=group)


def wrong_method(group) -> Expect:
    """The group passes the role check, then the method is refused."""
    return expect(method=group)


CASE = expect(ok=TEAM_X, hidden=OTHER_TEAM)  # team X's case: another team gets a 404
REFERRAL = expect(ok=REFERRER_A | TEAM_X, hidden=REFERRER_B | OTHER_TEAM)
MESSAGE = expect(ok=REFERRER_A, hidden=REFERRER_B)  # practice A's message back
ONWARD = expect(ok=TEAM_X | PROVIDER, hidden=OTHER_TEAM)  # the team's or the provider's


# FHIR: who may use the API at all, and a referral's Task seen by its practice and team only.
FHIR_USERS = REFERRERS | TEAM | PROVIDER
FHIR_REFERRAL = expect(ok=REFERRER_A | TEAM_X, hidden=REFERRER_B | OTHER_TEAM | PROVIDER)
FHIR_REQUESTER = expect(ok=REFERRER_A, hidden=REFERRER_B | OTHER_TEAM | PROVIDER, others=DENIED)


def case_form() -> Route:
    """A form about team X's case: the page shows the patient, so opening it is audited."""
    return route(GET=CASE, POST=CASE, patient=VIEW)


LIST = {"GET": "view_list"}  # a list of several patients: audited with each patient shown
VIEW = {"GET": "view"}


MATRIX: dict[str, Route] = {
    # --- accounts
    "home": route(GET=SIGNED_IN_OK),
    "healthz": route(GET=PUBLIC),
    "accessibility": route(GET=PUBLIC),
    "privacy": route(GET=PUBLIC),
    "healthz-live": route(GET=PUBLIC),
    "healthz-ready": route(GET=PUBLIC),
    # Off unless METRICS_ENABLED (and then a bearer token, not a role): a 404 for everyone.
    "metrics": route(GET=expect(hidden=EVERYONE)),
    "accounts:no-role": route(GET=SIGNED_IN_OK),
    "accounts:audit-list": route(GET=only(MANAGERS), patient=LIST),  # searched for the patient
    "accounts:audit-export": route(GET=only(MANAGERS), patient={"GET": "export"}),
    "accounts:team-members": route(GET=only(MANAGERS)),
    "accounts:end-sessions": route(POST=only(MANAGERS), GET=wrong_method(MANAGERS)),
    "accounts:session-keepalive": route(POST=SIGNED_IN_OK, GET=POST_ONLY_SIGNED_IN),
    "accounts:notifications": route(GET=SIGNED_IN_OK),
    "accounts:notifications-read-all": route(POST=SIGNED_IN_OK, GET=POST_ONLY_SIGNED_IN),
    "accounts:notification-read": route(
        POST=expect(ok={"coordinator_x"}, others=HIDDEN), GET=POST_ONLY_SIGNED_IN
    ),
    "accounts:operations": route(GET=only(MANAGERS)),
    "accounts:reminder-retry": route(POST=only(MANAGERS), GET=wrong_method(MANAGERS)),
    # Issue 19: the people page (a manager: their teams' members; the superuser: anyone).
    "accounts:people": route(GET=only(MANAGERS)),
    "accounts:person-invite": route(GET=only(MANAGERS), POST=only(MANAGERS)),
    "accounts:person": route(GET=only(MANAGERS), POST=only(MANAGERS)),
    "accounts:person-remove-role": route(POST=expect(hidden=MANAGERS), GET=wrong_method(MANAGERS)),
    "accounts:person-deactivate": route(POST=only(MANAGERS), GET=wrong_method(MANAGERS)),
    # --- referrals: pages
    "referrals:practice-home": route(patient=LIST, GET=only(REFERRERS)),
    # --- messages back to the practice (practice A's message)
    "gp_messages:list": route(GET=only(REFERRERS), patient=LIST),
    "gp_messages:detail": route(GET=MESSAGE, patient=VIEW),
    "gp_messages:pdf": route(GET=MESSAGE, patient=VIEW),
    "gp_messages:fhir": route(GET=MESSAGE, patient=VIEW),
    "gp_messages:filed": route(POST=MESSAGE, GET=expect(method=REFERRERS)),
    "gp_messages:correct": case_form(),  # the case's team corrects a message it sent
    "gp_messages:cases-to-discuss": route(GET=only(REFERRERS | TEAM), patient=LIST),
    "gp_messages:flag-for-discussion": case_form(),
    "gp_messages:practice-review-new": case_form(),
    "referrals:provider-home": route(patient=LIST, GET=only(PROVIDER)),
    "referrals:provider-service-referral": route(
        obj="service_referral", GET=only(PROVIDER), POST=only(PROVIDER), patient=VIEW
    ),
    "referrals:provider-link": route(GET=PUBLIC, POST=PUBLIC, patient={"GET": "open_link"}),
    # The patient's one-question page: a signed link, no login; shows only the service name.
    "referrals:attendance-answer": Route(
        checks={"GET": PUBLIC, "POST": PUBLIC},
        path_parameter=lambda world: {
            "token": attendance_links.token_for(world.service_referral.pk, "yes")
        },
    ),
    "referrals:new": route(GET=only(REFERRERS), POST=only(REFERRERS)),
    # The public self-referral page (signed in: community organisations and council
    # staff only), its confirmation, patient search, contact attempts and identity.
    "referrals:self-referral": route(
        GET=expect(ok=PROVIDER, anonymous=OK), POST=expect(ok=PROVIDER, anonymous=OK)
    ),
    "referrals:self-referral-sent": route(GET=PUBLIC),
    "referrals:patient-search": route(GET=only(TEAM | {"superuser"})),
    "referrals:contact-attempt": case_form(),
    "referrals:confirm-identity": case_form(),
    "coordinators:closed-cases": route(patient=LIST, GET=only(TEAM)),
    "coordinators:all-cases": route(patient=LIST, GET=only(TEAM)),
    "referrals:new-step": dataclasses.replace(
        route(GET=only(REFERRERS), POST=only(REFERRERS)),
        path_parameter=lambda world: {"step": "patient"},
    ),
    "referrals:new-check": route(GET=only(REFERRERS), POST=only(REFERRERS)),
    "referrals:triage": route(patient=LIST, GET=only(TEAM)),
    "referrals:detail": route(GET=REFERRAL, patient=VIEW),
    "referrals:confirmation": route(GET=expect(ok=REFERRER_A, hidden=REFERRER_B), patient=VIEW),
    "referrals:add-information": route(
        GET=expect(ok=REFERRER_A, hidden=REFERRER_B),
        POST=expect(ok=REFERRER_A, hidden=REFERRER_B),
        patient=VIEW,
    ),
    "referrals:accept": case_form(),
    "referrals:decline": case_form(),
    "referrals:first-contact": case_form(),
    "referrals:unable": case_form(),
    "referrals:patient-declined": route(GET=REFERRAL, POST=REFERRAL, patient=VIEW),
    "coordinators:case-refer-on": route(GET=CASE, patient=VIEW),
    # Subject access: managers of the patient's team and superusers only.
    "coordinators:subject-access": route(
        GET=only(MANAGERS), patient={"GET": "subject_access_export"}
    ),
    "coordinators:subject-access-json": route(
        GET=only(MANAGERS), patient={"GET": "subject_access_export"}
    ),
    "coordinators:case-refer-on-service": case_form(),
    "referrals:consent-to-share": case_form(),
    "referrals:patient-details": case_form(),
    "referrals:registered-practice": case_form(),
    "referrals:service-referral": route(GET=CASE, POST=CASE, obj="service_referral", patient=VIEW),
    # --- casework pages
    "coordinators:home": route(patient=LIST, GET=only(TEAM)),
    "coordinators:team-home": route(patient=LIST, GET=only(MANAGER_X)),
    "coordinators:upcoming-reviews": route(patient=LIST, GET=only(TEAM)),
    # Audited per patient shown (record_casework_list_viewed); not walked by the audit
    # completeness test, as the world's review falls outside the week the page opens on.
    "coordinators:review-calendar": route(GET=only(TEAM)),
    "coordinators:review-ics": route(GET=CASE, patient=VIEW),
    "coordinators:case": route(GET=CASE, patient=VIEW),
    "coordinators:conversation-new": case_form(),
    "coordinators:goal-new": case_form(),
    "coordinators:goal-edit": case_form(),
    "coordinators:goal-status": case_form(),
    "coordinators:measure-new": case_form(),
    "coordinators:plan-action-new": case_form(),
    "coordinators:plan-action-edit": case_form(),
    "coordinators:plan-print": route(GET=CASE, patient=VIEW),
    "coordinators:review-schedule": case_form(),
    "coordinators:review-reschedule": case_form(),
    "coordinators:review-cancel": case_form(),
    "coordinators:review-missed": case_form(),
    "coordinators:review-record": case_form(),
    "coordinators:case-close": case_form(),
    "coordinators:case-reassign": route(GET=only(MANAGER_X), POST=only(MANAGER_X), patient=VIEW),
    # --- case-finding: practice A's lead (referrer A) uploads; team X reaches out
    "casefinding:uploads": route(GET=only(REFERRER_A)),
    "casefinding:upload": route(GET=only(REFERRER_A), POST=only(REFERRER_A)),
    "casefinding:confirm": route(POST=only(REFERRER_A), GET=wrong_method(REFERRERS)),
    "casefinding:upload-detail": route(obj="upload", GET=only(REFERRER_A)),
    "casefinding:upload-progress": route(obj="upload", GET=only(REFERRER_A)),
    "casefinding:worklist": route(patient=LIST, GET=only(TEAM)),
    "casefinding:entry": route(obj="outreach_entry", GET=CASE, POST=CASE, patient=VIEW),
    "casefinding:take": route(obj="outreach_entry", POST=CASE, GET=wrong_method(TEAM)),
    # --- the directory
    "community_services:directory-search": route(GET=only(STAFF)),
    "community_services:vetter-home": route(GET=only(VETTER)),
    "community_services:service-list": route(GET=only(VETTER)),
    "community_services:service-create": route(GET=only(VETTER), POST=only(VETTER)),
    "community_services:provider-create": route(GET=only(VETTER), POST=only(VETTER)),
    "community_services:service-detail": route(GET=only(STAFF)),
    "community_services:service-edit": route(GET=only(VETTER), POST=only(VETTER)),
    "community_services:service-review": route(GET=only(VETTER), POST=only(VETTER)),
    "community_services:service-submit": route(POST=only(VETTER), GET=wrong_method(VETTER)),
    "community_services:service-suspend": route(GET=only(VETTER), POST=only(VETTER)),
    "community_services:service-reinstate": route(POST=only(VETTER), GET=wrong_method(VETTER)),
    "community_services:service-history": route(GET=only(VETTER)),
    "community_services:service-renew": route(GET=only(VETTER), POST=only(VETTER)),
    # Issue 19: the provider keeps its own listing current (its own services only).
    "community_services:provider-services": route(GET=only(PROVIDER)),
    "community_services:provider-listing": route(GET=only(PROVIDER), POST=only(PROVIDER)),
    "hsds:root": route(GET=PUBLIC),
    "hsds:services": route(GET=PUBLIC),
    "hsds:service": route(GET=PUBLIC),
    "hsds:organizations": route(GET=PUBLIC),
    "hsds:taxonomy-terms": route(GET=PUBLIC),
    "hsds:openapi-overlay": route(GET=PUBLIC),
    "hsds:taxonomies": route(GET=PUBLIC),
    "hsds:taxonomy": route(GET=PUBLIC),
    "hsds:taxonomy-term": route(GET=PUBLIC),
    "hsds:organization": route(GET=PUBLIC),
    "hsds:service-at-locations": route(GET=PUBLIC),
    "hsds:service-at-location": route(GET=PUBLIC),
    # Any other path under /hsds/: a JSON 404 for everyone, signed in or not.
    "hsds:not-found": route(GET=expect(others=HIDDEN, anonymous=HIDDEN)),
    # --- reports: aggregated figures carry no patient; the lists and the extract do
    "reports:home": route(GET=only(REPORT_READERS)),
    "reports:definitions": route(GET=only(REPORT_READERS)),
    "reports:report": route(GET=only(REPORT_READERS)),
    "reports:snapshots": route(GET=only(REPORT_READERS)),
    "reports:snapshot": route(obj="snapshot", GET=only(REPORT_READERS)),
    "reports:exports": route(GET=SIGNED_IN_OK),
    "reports:export": route(GET=only(TEAM), patient={"GET": "export"}),  # the caseload
    "reports:extract": route(GET=only({"superuser"})),
    "reports:extract-csv": route(GET=only({"superuser"}), patient={"GET": "export"}),
    "reports:minimum-dataset-csv": route(GET=only(MANAGERS), patient={"GET": "export"}),
    "reports:minimum-dataset-json": route(GET=only(MANAGERS), patient={"GET": "export"}),
    # --- the API (format-suffix variants share their route's entry)
    "api:api-root": route(GET=SIGNED_IN_OK),
    "api:me": route(GET=SIGNED_IN_OK),
    "api:ping": route(GET=SIGNED_IN_OK),
    # Tokens come from a session; staff whose role needs two-factor get one only from a session
    # that passed it (the matrix's force_login sessions did not). A token revokes only itself.
    "api:token-issue": route(
        POST=expect(ok=REFERRERS | PROVIDER | COMMISSIONER), GET=POST_ONLY_SIGNED_IN
    ),
    "api:token-revoke": route(POST=expect(others=LOGIN), GET=expect(others=LOGIN)),
    "api:token-revoke-all": route(POST=SIGNED_IN_OK, GET=POST_ONLY_SIGNED_IN),
    "api:service-list": route(GET=only(STAFF), POST=only(VETTER)),
    "api:service-detail": route(
        obj="service", GET=only(STAFF), PATCH=only(VETTER), PUT=only(VETTER)
    ),
    "api:service-submit": route(obj="service", POST=only(VETTER), GET=wrong_method(VETTER)),
    "api:service-approve": route(obj="service", POST=only(VETTER), GET=wrong_method(VETTER)),
    "api:service-reject": route(obj="service", POST=only(VETTER), GET=wrong_method(VETTER)),
    "api:service-suspend": route(obj="service", POST=only(VETTER), GET=wrong_method(VETTER)),
    "api:service-reinstate": route(obj="service", POST=only(VETTER), GET=wrong_method(VETTER)),
    "api:provider-list": route(GET=only(STAFF), POST=only(VETTER)),
    "api:provider-detail": route(
        obj="provider", GET=only(STAFF), PATCH=only(VETTER), PUT=only(VETTER)
    ),
    "api:referral-list": route(patient=LIST, GET=only(REFERRERS | TEAM), POST=only(REFERRERS)),
    "api:referral-detail": route(obj="case", GET=REFERRAL, patient=VIEW),
    "api:referral-accept": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-decline": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-first-contact": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-unable-to-contact": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-contact-attempts": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-patient-declined": route(obj="case", POST=REFERRAL, GET=wrong_method(TEAM)),
    "api:referral-patient-details": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:referral-registered-practice": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:case-list": route(patient=LIST, GET=only(TEAM)),
    "api:case-detail": route(obj="case", GET=CASE, patient=VIEW),
    "api:case-timeline": route(obj="case", GET=CASE, patient=VIEW),
    "api:case-close": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:case-refer-on": route(obj="case", POST=CASE, GET=wrong_method(TEAM)),
    "api:case-reassign": route(obj="case", POST=only(MANAGER_X), GET=wrong_method(TEAM)),
    "api:conversation-list": route(patient=LIST, GET=only(TEAM), POST=only(TEAM)),
    "api:conversation-detail": route(obj="conversation", GET=CASE, patient=VIEW),
    "api:goal-list": route(patient=LIST, GET=only(TEAM), POST=only(TEAM)),
    "api:goal-detail": route(obj="goal", GET=CASE, PATCH=CASE, patient=VIEW),
    "api:goal-set-status": route(obj="goal", POST=CASE, GET=wrong_method(TEAM)),
    "api:measure-list": route(patient=LIST, GET=only(TEAM), POST=only(TEAM)),
    "api:measure-detail": route(obj="measure", GET=CASE, patient=VIEW),
    "api:plan-action-list": route(patient=LIST, GET=only(TEAM), POST=only(TEAM)),
    "api:plan-action-detail": route(obj="plan_action", GET=CASE, PATCH=CASE, patient=VIEW),
    "api:review-list": route(patient=LIST, GET=only(TEAM), POST=only(TEAM)),
    "api:review-detail": route(obj="review", GET=CASE, patient=VIEW),
    "api:review-reschedule": route(obj="review", POST=CASE, GET=wrong_method(TEAM)),
    "api:review-cancel": route(obj="review", POST=CASE, GET=wrong_method(TEAM)),
    "api:review-missed": route(obj="review", POST=CASE, GET=wrong_method(TEAM)),
    "api:review-record": route(obj="review", POST=CASE, GET=wrong_method(TEAM)),
    "api:service-referral-list": route(patient=LIST, GET=only(TEAM | PROVIDER), POST=only(TEAM)),
    "api:service-referral-detail": route(obj="service_referral", GET=ONWARD, patient=VIEW),
    "api:service-referral-accept": route(
        obj="service_referral", POST=ONWARD, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-decline": route(
        obj="service_referral", POST=ONWARD, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-attended": route(
        obj="service_referral", POST=ONWARD, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-did-not-attend": route(
        obj="service_referral", POST=ONWARD, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-completed": route(
        obj="service_referral", POST=ONWARD, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-withdraw": route(
        obj="service_referral", POST=CASE, GET=wrong_method(TEAM | PROVIDER)
    ),
    "api:service-referral-send-link": route(
        obj="service_referral", POST=CASE, GET=wrong_method(TEAM | PROVIDER)
    ),
    # --- FHIR R4 (interop/): a session is scoped as the person; anonymous gets a 401.
    "fhir:metadata": route(GET=PUBLIC),
    "fhir:code-system": route(GET=PUBLIC),
    "fhir:token": route(
        POST=PUBLIC, GET=expect(method=EVERYONE, anonymous=METHOD)
    ),  # an OAuth endpoint: the client authenticates in the body
    "fhir:base": route(POST=only(REFERRERS), GET=wrong_method(FHIR_USERS)),
    "fhir:task-search": route(GET=only(FHIR_USERS), patient=LIST),
    "fhir:task": route(GET=FHIR_REFERRAL, PUT=FHIR_REQUESTER, patient=VIEW),
    "fhir:service-request": route(GET=FHIR_REFERRAL, patient=VIEW),
    "fhir:consent": route(GET=FHIR_REFERRAL, patient=VIEW),
    "fhir:patient": route(GET=FHIR_REFERRAL, patient=VIEW),
    # The world's case is open: there is no closing summary yet for anyone.
    "fhir:document-reference": route(GET=expect(hidden=FHIR_USERS)),
    "fhir:organization": route(GET=only(FHIR_USERS)),
    # The directory: what a referrer could refer to, the same for every FHIR user.
    "fhir:organizations": route(GET=only(FHIR_USERS)),
    "fhir:healthcare-services": route(GET=only(FHIR_USERS)),
    "fhir:healthcare-service": route(GET=only(FHIR_USERS)),
    "fhir:locations": route(GET=only(FHIR_USERS)),
    "fhir:location": route(GET=only(FHIR_USERS)),
    # The casework: the world's goal and measure, seen by its practice and team only.
    "fhir:goals": route(GET=only(FHIR_USERS), patient=LIST),
    "fhir:goal": route(GET=FHIR_REFERRAL, patient=VIEW),
    "fhir:observations": route(GET=only(FHIR_USERS), patient=LIST),
    "fhir:observation": route(GET=FHIR_REFERRAL, patient=VIEW),
    "fhir:subscriptions": route(POST=only(FHIR_USERS), GET=wrong_method(FHIR_USERS)),
    # Only the caller's own subscriptions exist for it; the world has none.
    "fhir:subscription": route(GET=expect(hidden=FHIR_USERS)),
    "fhir:subscription-status": route(GET=expect(hidden=FHIR_USERS)),
    "fhir:subscription-events": route(GET=expect(hidden=FHIR_USERS)),
    "interop:clients": route(GET=only({"superuser"}), POST=only({"superuser"})),
    "interop:client-revoke": route(POST=only({"superuser"}), GET=wrong_method(SIGNED_IN)),
}


# --- Two practices sharing one patient: each sees only what it said
#
# Practice B refers the world's patient (practice A's) too: `tests.matrix_world.shared_referral`.
# Each practice reaches its own referral only; the receiving team reaches both. Every response a
# referrer gets must be free of the other practice's details (checked by the test as well).
OWN_REFERRAL_ONLY = {
    "a": expect(ok=REFERRER_A | TEAM_X, hidden=REFERRER_B | OTHER_TEAM),
    "b": expect(ok=REFERRER_B | TEAM_X, hidden=REFERRER_A | OTHER_TEAM),
}
SHARED_PATIENT_ROUTES: dict[str, tuple[str, dict[str, Expect]]] = {
    # route name → (how its URL names the referral: "reference" or "pk", per referral: outcome)
    "referrals:detail": ("reference", OWN_REFERRAL_ONLY),
    "referrals:patient-declined": ("reference", OWN_REFERRAL_ONLY),
    "api:referral-detail": ("pk", OWN_REFERRAL_ONLY),
    "referrals:confirmation": (
        "reference",
        {
            "a": expect(ok=REFERRER_A, hidden=REFERRER_B),
            "b": expect(ok=REFERRER_B, hidden=REFERRER_A),
        },
    ),
    "referrals:patient-details": (
        "reference",
        {"a": CASE, "b": expect(ok=TEAM_X, hidden=OTHER_TEAM)},
    ),
}

# Token auth for every role: each /api/v1/ route answers a signed-in actor's API token (issued
# after their two-factor sign-in) as it answers their session, except these.
TOKEN_AUTH_DIFFERS: dict[str, dict[str, Expect]] = {
    # Issuing needs a session: a token cannot mint another.
    "api:token-issue": {"POST": expect(), "GET": expect()},
    "api:token-revoke": {"POST": SIGNED_IN_OK, "GET": POST_ONLY_SIGNED_IN},
}
