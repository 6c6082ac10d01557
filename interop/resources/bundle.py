"""Bundle: a referring transaction read into its four resources, the transaction-response, and
searchset pages with their `next` link."""

from dataclasses import dataclass

from ..codes import ODS_CODE_SYSTEM
from ..outcome import FhirError, Issue

REFERRAL_TYPES = ("Patient", "ServiceRequest", "Consent", "Task")


@dataclass
class ReferralBundle:
    """The four resources of a referring transaction, by type, and their fullUrls."""

    resources: dict[str, dict]
    full_urls: dict[str, str]
    order: list[str]
    if_none_exist: str


def read_transaction(body: dict) -> ReferralBundle:
    """Structure only (400): each element's meaning is checked by its own mapping (422)."""
    if body.get("resourceType") != "Bundle":
        raise FhirError.one(
            400, "POST a Bundle to the base.", "Bundle.resourceType", code="structure"
        )
    if body.get("type") != "transaction":
        raise FhirError.one(400, "Bundle.type must be 'transaction'.", "Bundle.type")
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        raise FhirError.one(400, "The Bundle has no entries.", "Bundle.entry", code="required")
    resources: dict[str, dict] = {}
    full_urls: dict[str, str] = {}
    order: list[str] = []
    issues: list[Issue] = []
    if_none_exist = ""
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        request = entry.get("request") if isinstance(entry, dict) else None
        if kind not in REFERRAL_TYPES:
            issues.append(
                Issue(
                    f"{where}.resource must be one of {', '.join(REFERRAL_TYPES)}.",
                    (f"{where}.resource",),
                )
            )
            continue
        if kind in resources:
            issues.append(Issue(f"Only one {kind} per referral.", (f"{where}.resource",)))
            continue
        if not isinstance(request, dict) or request.get("method") != "POST":
            issues.append(Issue(f"{where}.request.method must be POST.", (f"{where}.request",)))
            continue
        resources[kind] = resource  # type: ignore[assignment]
        order.append(kind)
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str):
            full_urls[kind] = full_url
        if kind == "ServiceRequest" and isinstance(request.get("ifNoneExist"), str):
            if_none_exist = request["ifNoneExist"]
    for kind in REFERRAL_TYPES:
        if kind not in resources and not any(kind in i.diagnostics for i in issues):
            issues.append(
                Issue(f"The referral needs a {kind} entry.", ("Bundle.entry",), "required")
            )
    if issues:
        raise FhirError(422, issues)
    return ReferralBundle(resources, full_urls, order, if_none_exist)


def points_to(reference: object, bundle: ReferralBundle, kind: str) -> bool:
    """Does a Reference inside the Bundle name the entry of `kind` (by fullUrl)?"""
    target = (reference or {}).get("reference") if isinstance(reference, dict) else None
    return isinstance(target, str) and target == bundle.full_urls.get(kind)


def ods_code_of(reference: object) -> str | None:
    identifier = (reference or {}).get("identifier") if isinstance(reference, dict) else None
    if isinstance(identifier, dict) and identifier.get("system") == ODS_CODE_SYSTEM:
        value = identifier.get("value")
        return value if isinstance(value, str) else None
    return None


def transaction_response(locations: dict[str, str], order: list[str], status: str) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"response": {"status": status, "location": locations[kind]}} for kind in order],
    }


def searchset(
    *,
    base: str,
    resources: list[dict],
    self_url: str,
    next_url: str | None,
    included=(),
    total: int | None = None,
) -> dict:
    entries = [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": mode},
        }
        for mode, group in (("match", resources), ("include", included))
        for r in group
    ]
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    bundle: dict = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    return {**bundle, "link": links, "entry": entries}
