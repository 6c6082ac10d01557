"""What the benchmark measures: each target's name (as locust and the query pass report it), the
addresses it fetches, and the limits each p95 must meet."""

TARGETS = [
    "floor: ping",
    "page: triage queue",
    "page: triage queue filtered",
    "page: my caseload",
    "page: case page",
    "page: team review calendar",
    "page: directory search",
    "page: directory search near a postcode",
    "page: our referrals",
    "api: referrals list",
    "api: referral detail",
    "api: referral create",
    "api: services search",
    "api: HSDS services page",
    "api: HSDS service_at_locations page",
    "api: HSDS services near a postcode",
    "api: HSDS organizations page",
    "fhir: Task polling",
    "fhir: Task read",
    "page: messages back",
    "page: cases to discuss",
    "export: minimum dataset JSON",
    "fhir: HealthcareService near a postcode",
    "fhir: Goal search",
    "fhir: Observation search",
    "fhir: onward Task search",
]
# The FHIR searches and reads: every query of each is EXPLAINed (bench.fhir_explain).
FHIR_TARGETS = [target for target in TARGETS if target.startswith("fhir: ")]

LIMITS = {"api: referral create": 3.0}  # p95 ÷ floor p95; every other target 2.0
ABSOLUTE_P95_MS = {"page: directory search": 50}
DIRECTORY_SEARCH = "/directory/?q=walking&need_domain=loneliness"
# ZZ50 5ZZ is one of the seed's invented postcodes (see HSDS_NEAR_POSTCODE below).
DIRECTORY_NEAR = "/directory/?postcode=ZZ50+5ZZ&within=20&day=TU"
TRIAGE_FILTERED = "/referrals/triage/?urgency=routine&risk=none&need_domain=loneliness"
# The team's month of reviews: every coordinator's scheduled reviews in the team, one month.
REVIEW_CALENDAR = "/cases/reviews/calendar/?view=month"
SERVICES_SEARCH = "/api/v1/services/?q=walking&need_domain=loneliness"
HSDS_SERVICES = "/hsds/services?page=3&per_page=50"
HSDS_SERVICE_AT_LOCATIONS = "/hsds/service_at_locations?page=3&per_page=50"
# ZZ1 1ZZ..ZZ99 9ZZ are the seed's invented postcodes (bench.scale_seed), loaded as Postcode rows.
HSDS_NEAR_POSTCODE = "/hsds/service_at_locations?postcode=ZZ50+5ZZ&proximity=20000&per_page=50"
HSDS_ORGANIZATIONS = "/hsds/organizations?page=2&per_page=50"
# A manager's month of the minimum dataset (their team's episodes, each with its lists).
MINIMUM_DATASET = "/exports/minimum-dataset.json?from=2025-06-01&to=2025-06-30"
FHIR_SERVICES_NEAR = "/fhir/R4/HealthcareService?near-postcode=ZZ50+5ZZ&near-distance=20&_count=50"
FHIR_GOAL_SEARCH = "/fhir/R4/Goal?_count=50"
FHIR_OBSERVATION_SEARCH = "/fhir/R4/Observation?_count=50"
# A practice system's polling: its Tasks changed in the last day, one page.
FHIR_POLL_SINCE = "2000-01-01T00:00:00Z"
