"""What every task process imports, imported once by the process the LocalExecutor's workers fork from.

A LocalExecutor worker forks a process per task (Airflow's supervisor), and that process parses its
DAG file and runs the operator: it imports our operators, the Amazon provider's hooks, boto3,
awswrangler, pandas and pyarrow each time, close to a second of CPU for a task that often does less
(docs/pipeline.md, "Task start-up on the real scheduler"). Airflow 3.3's
`[scheduler] mp_start_method = forkserver` with
`[scheduler] mp_forkserver_preload = lakehouse.airflow.task_preload` has the scheduler's forkserver
import this module before it forks the workers, so every task inherits the imports copy-on-write.
The task still parses its DAG file and builds its DAG; only the imports are shared.

Importing this module must stay free of side effects beyond imports: no connection, no client, no
thread (a forked child would inherit them). multiprocessing's forkserver ignores an ImportError in
a preload module, so a missing package only makes the tasks slower, never breaks them.
"""

from __future__ import annotations

import importlib

MODULES = (
    # what Airflow's task runner imports to start a task, before our DAG file
    "airflow.sdk.execution_time.supervisor",
    "airflow.sdk.execution_time.task_runner",
    # what the DAG files import to build their DAGs
    "lakehouse.airflow.build",
    "lakehouse.airflow.feed_dags",
    "lakehouse.airflow.scoring",
    # what the operators import when they run (the catalog, the warehouse, the lake)
    "lakehouse.aws.catalog",
    "lakehouse.aws.audit_catalog",
    "lakehouse.aws.quality_results",
    "lakehouse.aws.versions",
    "airflow.providers.amazon.aws.hooks.appflow",
    "airflow.providers.amazon.aws.hooks.glue",
    "airflow.providers.amazon.aws.hooks.redshift_data",
    "airflow.providers.amazon.aws.hooks.s3",
    "airflow.providers.amazon.aws.hooks.sns",
    "awswrangler",
)

for _name in MODULES:
    importlib.import_module(_name)
