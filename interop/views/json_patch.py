"""JSON Patch (RFC 6902) for PATCH of a Task: add, replace, remove and test on object paths."""

from ..outcome import FhirError


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _parent(document, path: str):
    if not path.startswith("/"):
        raise FhirError.one(400, f"JSON Patch path {path!r} must start with '/'.")
    tokens = [_unescape(t) for t in path[1:].split("/")]
    node = document
    for token in tokens[:-1]:
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise FhirError.one(400, f"JSON Patch path {path!r} does not exist.")
    return node, tokens[-1]


def apply_patch(document: dict, operations) -> dict:
    if not isinstance(operations, list):
        raise FhirError.one(400, "A JSON Patch is a list of operations.")
    for operation in operations:
        if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
            raise FhirError.one(400, "Each JSON Patch operation needs op and path.")
        op, (parent, key) = operation.get("op"), _parent(document, operation["path"])
        if isinstance(parent, list):
            if not key.isdigit():
                raise FhirError.one(400, "A list index must be a number.")
            index = int(key)
            if op in ("replace", "add") and index <= len(parent):
                parent[index : index + (op == "replace")] = [operation.get("value")]
            elif op == "remove" and index < len(parent):
                del parent[index]
            else:
                raise FhirError.one(400, f"JSON Patch op {op!r} is not supported here.")
        elif op in ("replace", "add"):
            parent[key] = operation.get("value")
        elif op == "remove" and key in parent:
            del parent[key]
        elif op == "test":
            if parent.get(key) != operation.get("value"):
                raise FhirError.one(409, f"JSON Patch test failed at {operation['path']}.")
        else:
            raise FhirError.one(400, f"JSON Patch op {op!r} is not supported here.")
    return document
