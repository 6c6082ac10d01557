"""Every FHIR search is an index scan (the issue's target at 100k): each FHIR target's queries,
captured in the query pass, EXPLAINed one by one, and per target whether any plan scans a table
of more than 10k rows from end to end. Also the provider whose system follows its onward
referrals (`Task?owner=Organization/{provider}`): the seed has no provider users, so the
plan makes one for the provider with the most onward referrals (once; later runs reuse it).
"""

from bench.explain import explain_all
from bench.targets import FHIR_TARGETS

PROVIDER_EMAIL = "provider@scale.example"


def bench_provider():
    """The provider with the most onward referrals, given an organisation and one user (a
    provider's system sees what a person of its organisation would), who signs in with the
    seed's password under load."""
    from django.db.models import Count

    from accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from bench.scale_rows import SCALE_PASSWORD
    from community_services.models import Provider

    user = User.objects.filter(email=PROVIDER_EMAIL).first()
    if user is not None:
        if not user.check_password(SCALE_PASSWORD):
            user.set_password(SCALE_PASSWORD)
            user.save(update_fields=["password"])
        return user, user.memberships.get().organisation
    provider = (
        Provider.objects.filter(organisation__isnull=True)
        .annotate(n=Count("services__referrals"))
        .order_by("-n", "id")
        .first()
    )
    if provider is None:
        raise RuntimeError("No provider to follow onward referrals: seed the database first.")
    organisation = Organisation.objects.create(
        name=provider.name, kind=OrganisationKind.SERVICE_PROVIDER
    )
    Provider.objects.filter(pk=provider.pk).update(organisation=organisation)
    user = User.objects.create_user(email=PROVIDER_EMAIL, password=SCALE_PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.PROVIDER)
    return user, organisation


def explain_fhir_targets(timed: list) -> dict:
    """{target: {queries, index_scans, seq_scan_on_big_tables}} for each FHIR target."""
    found = {}
    for target in FHIR_TARGETS:
        plans = explain_all([t for t in timed if t[1] == target])
        found[target] = {
            "queries_explained": len(plans),
            "uses_index": any(p["uses_index"] for p in plans),
            "seq_scan_on_big_tables": sorted(
                {table for p in plans for table in p["seq_scan_on_big_tables"]}
            ),
        }
    return found


def print_fhir_explain(found: dict) -> None:
    print("\nFHIR searches: a seq scan on a table of more than 10k rows? (every query EXPLAINed)")
    for target, entry in found.items():
        scans = ",".join(entry["seq_scan_on_big_tables"]) or "none"
        verdict = "index scans" if scans == "none" else "SEQ SCAN"
        print(
            f"  {target:<42}{entry['queries_explained']:>4} queries  seq-scans>10k={scans}"
            f"  {verdict}"
        )
