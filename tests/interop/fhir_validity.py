"""Checks every emitted resource against what we did not write: the fhir.resources R4B models and
the official FHIR R4 JSON Schema (required bindings, date formats), and that references resolve."""

import functools
import json
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B import get_fhir_model_class

# ../shared/standards beside the checkout (a worktree under wt/ finds the one beside wt/).
_CHECKOUT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = next(
    (
        folder / "shared" / "standards" / "fhir-r4" / "fhir.schema.json"
        for folder in (_CHECKOUT.parent, _CHECKOUT.parent.parent)
        if (folder / "shared" / "standards" / "fhir-r4").is_dir()
    ),
    _CHECKOUT.parent / "shared" / "standards" / "fhir-r4" / "fhir.schema.json",
)


@functools.cache
def _definitions() -> dict:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the official FHIR R4 JSON Schema is not at {SCHEMA_PATH} (shared/standards)")
    schema = json.loads(SCHEMA_PATH.read_text())
    schema.pop("id", None)  # the validator would take it as a base URI
    return schema


@functools.cache
def _validator(resource_type: str) -> jsonschema.Draft6Validator:
    schema = _definitions()
    return jsonschema.Draft6Validator(
        {"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]},
        format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER,
    )


def _known_schema_defect(resource: dict, error) -> bool:
    """The published R4 schema's FHIRVersion enum stops at 4.0.0 and so refuses R4's own
    4.0.1: the one error we set aside, and only for exactly that value."""
    return list(error.absolute_path) == ["fhirVersion"] and resource.get("fhirVersion") == "4.0.1"


def schema_errors(resource: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator(resource["resourceType"]).iter_errors(resource)
        if not _known_schema_defect(resource, error)
    ]


def model_errors(resource: dict) -> list[str]:
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as exc:  # noqa: BLE001 - any refusal by the models is the finding
        return [str(exc)[:2000]]
    return []


def assert_valid(resource: dict) -> None:
    problems = schema_errors(resource) + model_errors(resource)
    assert not problems, f"{resource['resourceType']}/{resource.get('id')}: " + "\n".join(problems)


def references_in(value) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                found += references_in(item)
    elif isinstance(value, list):
        for item in value:
            found += references_in(item)
    return found
