"""The HSDS taxonomies our services are tagged with, need domains and delivery modes, and their
terms; every id a uuid5 of the taxonomy (and code), so it is the same in every export."""

import uuid
from dataclasses import dataclass
from typing import Any

from ..models import DeliveryMode
from ..need_domains import NeedDomain

_NAMESPACE = uuid.UUID("6f1d7c0e-3a57-4c1e-9d2b-0b5e2f3a9c41")
NEED_DOMAIN_TAXONOMY = "need_domains"
DELIVERY_MODE_TAXONOMY = "delivery_modes"


@dataclass(frozen=True)
class Taxonomy:
    id: str
    name: str
    description: str

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "description": self.description, "version": "1"}


TAXONOMIES = {
    NEED_DOMAIN_TAXONOMY: Taxonomy(
        str(uuid.uuid5(_NAMESPACE, NEED_DOMAIN_TAXONOMY)),
        "Need domains",
        "The non-medical needs a social prescribing link worker refers people for: one list, "
        "used by referral reasons, goals and service categories.",
    ),
    DELIVERY_MODE_TAXONOMY: Taxonomy(
        str(uuid.uuid5(_NAMESPACE, DELIVERY_MODE_TAXONOMY)),
        "Delivery modes",
        "How a service is delivered: in person, by phone, online or by home visit.",
    ),
}
TAXONOMIES_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES.values()}


@dataclass(frozen=True)
class TaxonomyTerm:
    id: str
    code: str
    name: str
    taxonomy: str

    def document(self) -> dict[str, Any]:
        description = (
            f"Services that help with {self.name.lower()}."
            if self.taxonomy == NEED_DOMAIN_TAXONOMY
            else f"Services delivered {self.name.lower()}."
        )
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": description,
            "taxonomy": self.taxonomy,
            "taxonomy_id": TAXONOMIES[self.taxonomy].id,
            "language": "en",
        }


def _term(taxonomy: str, code: str, name: str) -> TaxonomyTerm:
    return TaxonomyTerm(str(uuid.uuid5(_NAMESPACE, f"{taxonomy}:{code}")), code, name, taxonomy)


TAXONOMY_TERMS: list[TaxonomyTerm] = [
    *(_term(NEED_DOMAIN_TAXONOMY, d.value, d.label) for d in NeedDomain),
    *(_term(DELIVERY_MODE_TAXONOMY, m.value, m.label) for m in DeliveryMode),
]
TERMS_BY_ID = {term.id: term for term in TAXONOMY_TERMS}
TERMS_BY_CODE = {(term.taxonomy, term.code): term for term in TAXONOMY_TERMS}
