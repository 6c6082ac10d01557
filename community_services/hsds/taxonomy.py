"""The HSDS taxonomy terms our services are tagged with: need domains and delivery modes, each
term's id a uuid5 of its taxonomy and code, so it is the same in every export."""

import uuid
from dataclasses import dataclass
from typing import Any

from ..models import DeliveryMode
from ..need_domains import NeedDomain

_NAMESPACE = uuid.UUID("6f1d7c0e-3a57-4c1e-9d2b-0b5e2f3a9c41")
NEED_DOMAIN_TAXONOMY = "need_domains"
DELIVERY_MODE_TAXONOMY = "delivery_modes"


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
