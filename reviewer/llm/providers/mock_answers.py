"""Canned answers of `mock/default`, one per kind of request (GenerateConfig.task).

Other modules register their own with `register_answer`, so a whole pipeline (review, reflection,
meta-review, idea, novelty verdict, code edit, write-up section) can be smoke-run offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..types import GenerateConfig, Message

Answer = Callable[[list[Message], GenerateConfig], "str | dict"]
ANSWERS: dict[str, Answer] = {}


def register_answer(task: str, fn: Answer) -> None:
    ANSWERS[task] = fn


def instance_of(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A minimal valid instance of a JSON schema (enough for the schemas this project uses)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return instance_of(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return instance_of(options[0], defs)
    if "enum" in schema:
        values = schema["enum"]
        return values[len(values) // 2]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: instance_of(v, defs) for k, v in props.items()}
    if kind == "array":
        n = max(1, schema.get("minItems", 1))
        return [instance_of(schema.get("items", {"type": "string"}), defs) for _ in range(n)]
    if kind == "integer":
        lo, hi = schema.get("minimum", 0), schema.get("maximum", lo_default(schema))
        return int((lo + hi) // 2)
    if kind == "number":
        lo, hi = schema.get("minimum", 0.0), schema.get("maximum", 1.0)
        return (lo + hi) / 2
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "mock text"


def lo_default(schema: dict[str, Any]) -> int:
    return schema.get("minimum", 0) + 10


def default_answer(messages: list[Message], config: GenerateConfig) -> str:
    if config.task in ANSWERS:
        out = ANSWERS[config.task](messages, config)
        return out if isinstance(out, str) else json.dumps(out)
    if config.json_schema is not None:
        return json.dumps(instance_of(config.json_schema))
    return "OK"
