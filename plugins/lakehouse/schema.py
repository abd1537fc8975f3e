"""JSON Schemas of the config files, for editors (yaml-language-server) and `lakehouse schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lakehouse.config.environments import EnvironmentsFile
from lakehouse.config.feeds import FeedsFile
from lakehouse.config.flows import Flow, FlowSettings


class FlowsFile(BaseModel):
    """flows.yaml: defaults for every flow, and the flows."""

    model_config = ConfigDict(extra="forbid")

    defaults: FlowSettings | None = Field(None, description="Keys every flow inherits unless it sets them.")
    flows: list[Flow] = Field(description="One entry per Salesforce object and direction.")


def schemas() -> dict[str, dict[str, Any]]:
    flows = FlowsFile.model_json_schema()
    # A flow may lean on defaults for everything but its name, so only `name` is required here.
    flow_def = flows["$defs"]["Flow"]
    flow_def["required"] = ["name"]
    return {
        "flows.schema.json": flows,
        "environments.schema.json": EnvironmentsFile.model_json_schema(),
        "feeds.schema.json": FeedsFile.model_json_schema(),
    }


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
