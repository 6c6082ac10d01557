"""The header menu per role. Later features add their pages here, in one place."""

from django.urls import NoReverseMatch, reverse

from .models import Role, User

_MENUS: dict[str, list[tuple[str, str]]] = {
    Role.REFERRER: [
        ("Our referrals", "referrals:practice-home"),
        ("New referral", "referrals:new"),
        ("Messages back", "gp_messages:list"),
    ],
    Role.COORDINATOR: [
        ("Home", "coordinators:home"),
        ("Triage queue", "referrals:triage"),
        ("Find a patient", "referrals:patient-search"),
        ("Outreach", "casefinding:worklist"),
        ("My reviews", "coordinators:upcoming-reviews"),
        ("Practice meetings", "gp_messages:cases-to-discuss"),
        ("Team calendar", "coordinators:review-calendar"),
        ("Directory", "community_services:directory-search"),
    ],
    Role.MANAGER: [
        ("Home", "coordinators:team-home"),
        ("Triage queue", "referrals:triage"),
        ("Find a patient", "referrals:patient-search"),
        ("Outreach", "casefinding:worklist"),
        ("My reviews", "coordinators:upcoming-reviews"),
        ("Team calendar", "coordinators:review-calendar"),
        ("Directory", "community_services:directory-search"),
        ("Team members", "accounts:team-members"),
        ("People", "accounts:people"),
        ("Audit trail", "accounts:audit-list"),
        ("Operations", "accounts:operations"),
        ("Reports", "reports:home"),
    ],
    Role.VETTER: [
        ("Vetting queue", "community_services:vetter-home"),
        ("Services", "community_services:service-list"),
        ("Directory", "community_services:directory-search"),
    ],
    Role.PROVIDER: [
        ("Home", "referrals:provider-home"),
        ("Your services", "community_services:provider-services"),
        ("Refer someone", "referrals:self-referral"),
    ],
    Role.COUNCIL_REFERRER: [("Refer someone", "referrals:self-referral")],
    Role.COMMISSIONER: [
        ("Reports", "reports:home"),
        ("Monthly snapshots", "reports:snapshots"),
    ],
}


def navigation_for(user: User, current_path: str) -> list[dict]:
    entries = list(_MENUS.get(user.role or "", []))
    if any(m.is_practice_lead for m in user.cached_memberships):
        entries.append(("Case-finding", "casefinding:uploads"))
    if user.is_superuser:
        entries += [
            ("Audit trail", "accounts:audit-list"),
            ("Operations", "accounts:operations"),
            ("People", "accounts:people"),
            ("Reports", "reports:home"),
            ("Admin", "admin:index"),
        ]
    items, seen = [], set()
    for text, url_name in entries:
        if url_name in seen:
            continue
        seen.add(url_name)
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"text": text, "href": href, "current": current_path == href})
    return items
