"""Our additions to the official HSDS 3.0 API description, kept as an OpenAPI Overlay 1.0
document (openapi_overlay.json, served at /hsds/openapi-overlay.json), and the small applier the
conformance test uses to put them over the official openapi.json.

The overlay says what the official description leaves open and we answer: the paging clamp, the
parameters' accepted forms, 400 naming a malformed parameter, 404 for an unknown id, ndjson. It
never touches a 200 response's schema: those stay the standard's.
"""

import copy
import re
from pathlib import Path
from typing import Any

OVERLAY_PATH = Path(__file__).with_name("openapi_overlay.json")
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*|\*)|\['([^']*)'\]|\[(\*)\]")


def _targets(document: Any, target: str) -> list[Any]:
    """The nodes a target selects: the JSONPath subset of `$`, `.name`, `['name']` and `*`."""
    if not target.startswith("$"):
        raise ValueError(f"overlay target {target!r} must start with $")
    nodes, rest = [document], target[1:]
    while rest:
        match = _SEGMENT.match(rest)
        if not match:
            raise ValueError(f"overlay target {target!r}: cannot read {rest!r}")
        key = match[1] if match[1] is not None else match[2] if match[2] is not None else match[3]
        rest = rest[match.end() :]
        selected = []
        for node in nodes:
            if key == "*":
                selected += list(node.values()) if isinstance(node, dict) else list(node)
            elif isinstance(node, dict) and key in node:
                selected.append(node[key])
        nodes = selected
    return nodes


def _merge(target: Any, update: Any) -> None:
    """Overlay 1.0 update: objects merge recursively, arrays are appended to, values replace."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key].extend(copy.deepcopy(value))
        else:
            target[key] = copy.deepcopy(value)


def apply_overlay(description: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """A copy of `description` with every action of `overlay` applied, in order. A target that
    selects nothing is an error: the description moved and the overlay must follow."""
    result = copy.deepcopy(description)
    for action in overlay["actions"]:
        nodes = _targets(result, action["target"])
        if not nodes:
            raise ValueError(f"overlay target {action['target']!r} selects nothing")
        for node in nodes:
            _merge(node, action["update"])
    return result
