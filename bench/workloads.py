"""Write the three DAG folders of one size N into a temp dir.

<root>/include/config/{flows,environments}.yaml   N ingest flows, the sample's defaults (so each
                                                   incremental one also gets a reconciliation DAG)
<root>/include/sql/*.sql                           copied from include/sql
<root>/generated/*.py                              the project's DAG files (dags/*.py)
<root>/handwritten/<dag_id>.py                     the floor: one plain-Python file per DAG
<root>/handwritten_one_file/dags.py                same code, every DAG in one module
<root>/dagfactory/{dags.yaml,load_dags.py}         dag-factory 1.1.0: one YAML file, one loader
"""

from __future__ import annotations

import compileall
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import dagfactory_yaml, handwritten
from bench.spec import DagSpec, dag_specs
from lakehouse.plan.dags import DAG_KINDS

REPO = Path(__file__).resolve().parent.parent
ENV = "dev"
INGEST_DAG_PREFIX = DAG_KINDS["ingest"] + "__"

# Realistic variety, cycled over the flows: daily/nightly/weekday/hourly schedules (the hourly
# ones partition by minute), incremental and snapshot loads, PII flags.
_VARIANTS: tuple[dict[str, object], ...] = (
    {},
    {"schedule_expression": "cron(0 2 * * ? *)", "timestamp_field": "SystemModstamp"},
    {
        "incremental_load": 0,
        "schedule_expression": "cron(30 3 ? * 2-6 *)",
        "description": "Weekday full snapshots",
    },
    {"schedule_expression": "rate(1 hour)", "pii": 1, "pii_columns": ["Email__c", "Phone__c"]},
)


@dataclass(frozen=True)
class Workload:
    n: int
    root: Path
    include: Path
    generated: Path
    handwritten: Path
    handwritten_one_file: Path
    dagfactory: Path
    specs: list[DagSpec]

    @property
    def dags(self) -> int:
        """Every DAG the folders build: N ingest DAGs and the incremental objects' reconciliations."""
        return len(self.specs)

    @property
    def tasks(self) -> int:
        return sum(spec.tasks for spec in self.specs)

    @property
    def worker_dag(self) -> DagSpec:
        """The DAG a worker builds in the single-DAG measurement: an ingest DAG from the middle
        (its task is in `salesforce_ingest.py`, the file the generated variant's worker parses)."""
        ingest = [spec for spec in self.specs if spec.dag_id.startswith(INGEST_DAG_PREFIX)]
        return ingest[len(ingest) // 2]


def object_name(i: int) -> str:
    return f"Obj{i:04d}__c"


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a list shared by several flows out in each, as a person would, instead of PyYAML's
    `&id001` anchor and `*id001` aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def flows_yaml(n: int) -> str:
    sample = yaml.safe_load((REPO / "include/config/flows.yaml").read_text(encoding="utf-8"))
    defaults = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in sample["defaults"].items()}
    flows = []
    for i in range(1, n + 1):
        name = object_name(i)
        flows.append({"name": name, "description": f"Custom object {name}", **_VARIANTS[i % len(_VARIANTS)]})
    header = f"# {n} generated ingest flows for bench.parse; defaults copied from include/config/flows.yaml\n"
    document = {"defaults": defaults, "flows": flows}
    body = yaml.dump(document, Dumper=_NoAliasDumper, sort_keys=False, width=200)
    return header + body


def write(n: int, root: Path) -> Workload:
    include = root / "include"
    (include / "config").mkdir(parents=True)
    (include / "config/flows.yaml").write_text(flows_yaml(n), encoding="utf-8")
    shutil.copy(REPO / "include/config/environments.yaml", include / "config/environments.yaml")
    shutil.copytree(REPO / "include/sql", include / "sql")

    generated = root / "generated"
    generated.mkdir()
    for dag_file in sorted((REPO / "dags").glob("*.py")):
        shutil.copy(dag_file, generated / dag_file.name)

    specs = dag_specs(include, ENV)
    ingest = sum(spec.dag_id.startswith(INGEST_DAG_PREFIX) for spec in specs)
    if ingest != n:
        raise RuntimeError(f"the workload plans {ingest} ingest DAGs, expected {n}")

    hand = root / "handwritten"
    hand.mkdir()
    for spec in specs:
        (hand / f"{spec.dag_id}.py").write_text(handwritten.render(spec), encoding="utf-8")

    one_file = root / "handwritten_one_file"
    one_file.mkdir()
    (one_file / "dags.py").write_text(handwritten.render_one_file(specs), encoding="utf-8")
    # Byte-code as a running DAG processor has it (the DagBag's loader writes __pycache__ on its
    # first import), so no variant is timed compiling its files.
    for folder in (generated, hand, one_file):
        if not compileall.compile_dir(folder, quiet=1, workers=0):
            raise RuntimeError(f"cannot compile {folder}")

    factory = root / "dagfactory"
    factory.mkdir()
    (factory / "dags.yaml").write_text(dagfactory_yaml.render(specs), encoding="utf-8")
    (factory / "load_dags.py").write_text(dagfactory_yaml.LOADER, encoding="utf-8")
    return Workload(n, root, include, generated, hand, one_file, factory, specs)
