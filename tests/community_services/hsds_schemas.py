"""Validate our /hsds/ documents against the official HSDS 3.0 schemas kept beside the checkout.

The compiled schemas are self-contained; the API reference (openapi.json) points at them by their
published URLs, so a referencing registry maps those URLs to the local files and each endpoint's
response schema is used exactly as the reference defines it (Page envelope included).
"""

import json
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

STANDARD = Path("shared") / "standards" / "hsds-3.0"


def _schema_dir() -> Path:
    """../shared/standards/hsds-3.0 beside the checkout, or beside a folder above it (a git
    worktree under the checkout's parent)."""
    checkout = Path(__file__).resolve().parents[2]
    for folder in checkout.parents:
        if (folder / STANDARD).is_dir():
            return folder / STANDARD
    return checkout.parent / STANDARD


SCHEMA_DIR = _schema_dir()
PUBLISHED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URI = "urn:hsds-3.0:openapi"


def require_schemas() -> None:
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"the HSDS 3.0 schemas are not at {SCHEMA_DIR} (../shared/standards/hsds-3.0)")


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text())
        if path.name == "openapi.json":
            resources.append((OPENAPI_URI, DRAFT202012.create_resource(contents)))
            continue
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((f"{PUBLISHED}compiled/{path.name}", resource))
        resources.append((f"{PUBLISHED}{path.name}", resource))
    return Registry().with_resources(resources)


def _pointer(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def validator_for(api_path: str) -> Draft202012Validator:
    """The 200 response schema of GET `api_path` in the HSDS API reference."""
    require_schemas()
    pointer = f"/paths/{_pointer(api_path)}/get/responses/200/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": f"{OPENAPI_URI}#{pointer}"},
        registry=_registry(),
        format_checker=FormatChecker(),
    )


def assert_valid(api_path: str, document) -> None:
    errors = sorted(validator_for(api_path).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def page_schema_required() -> list[str]:
    require_schemas()
    spec = json.loads((SCHEMA_DIR / "openapi.json").read_text())
    return list(spec["components"]["schemas"]["Page"]["properties"])
