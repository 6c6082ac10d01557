"""The official HSDS 3.0 API description, made runnable here without the network: our overlay
(community_services/hsds/openapi_overlay.json) applied, and every remote `$ref` to the
specification repository replaced by a local reference to the schema file kept beside the
checkout (../shared/standards/hsds-3.0/), inlined under components/schemas."""

import json
from pathlib import Path
from typing import Any

from community_services.hsds.openapi import OVERLAY_PATH, apply_overlay

from .hsds_schemas import PUBLISHED, SCHEMA_DIR, require_schemas

# Files the schemas name that the standard's folder does not hold. We never publish these
# records (metadata, attributes of schedules); a schema that accepts nothing makes sure we
# notice if we start, rather than letting anything through.
ABSENT = {"not": {}, "description": "not among the standard's files kept at hand"}


def official_description() -> dict[str, Any]:
    require_schemas()
    return json.loads((SCHEMA_DIR / "openapi.json").read_text())


def _local_name(file_name: str) -> str:
    return "hsds_" + file_name.removesuffix(".json")


def _rewrite(node: Any, files: dict[str, Any], base: str) -> Any:
    """Each `$ref` to a schema file (absolute, or relative to the file it is in) becomes
    `#/components/schemas/hsds_<file>`; the file is loaded into `files` once."""
    if isinstance(node, list):
        return [_rewrite(item, files, base) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        file_name = ref.removeprefix(PUBLISHED).removeprefix("compiled/")
        if file_name.startswith(("http://", "https://")):
            raise AssertionError(f"a reference outside the HSDS schemas: {ref}")
        if not (SCHEMA_DIR / file_name).is_file():
            return ABSENT
        if file_name not in files:
            files[file_name] = None  # placeholder: a file may refer back to itself
            contents = json.loads((SCHEMA_DIR / file_name).read_text())
            files[file_name] = _rewrite(contents, files, file_name)
        return {**node, "$ref": f"#/components/schemas/{_local_name(file_name)}"}
    return {key: _rewrite(value, files, base) for key, value in node.items()}


def runnable_description(*, overlay: dict | None = None) -> dict[str, Any]:
    """The official description with our overlay applied and its references made local."""
    description = apply_overlay(
        official_description(), overlay or json.loads(OVERLAY_PATH.read_text())
    )
    files: dict[str, Any] = {}
    description = _rewrite(description, files, "openapi.json")
    schemas = description.setdefault("components", {}).setdefault("schemas", {})
    for file_name, contents in files.items():
        schemas[_local_name(file_name)] = contents
    return description


def write_runnable_description(path: Path, **kwargs: Any) -> Path:
    path.write_text(json.dumps(runnable_description(**kwargs)))
    return path
