"""A task's start-up: freeze the heap Airflow has already built before our DAG file imports more,
and let every AWS client of the process share botocore's parsed service models.

When a worker runs a task, Airflow has imported itself (hundreds of thousands of objects) before it
parses the DAG file. Importing the operators' modules (the Amazon provider, boto3) then triggers
full collections of the cyclic garbage collector, and each one walks Airflow's whole import heap:
about 0.1 s of a 0.3 s parse, measured with `gc.callbacks` (bench/README.md). `gc.freeze()` moves
the objects that exist now into the permanent generation, which collections skip; Airflow does the
same before it forks (LocalExecutor, the DAG processor manager).

Only in a worker's parsing context, i.e. a task process that lives for one task: the frozen objects
(modules, classes, Airflow's settings) live as long as the process anyway, and everything the task
allocates later is collected as usual. The DAG processor, `dag.test()` and the tests are untouched.
"""

from __future__ import annotations

import gc

from airflow.sdk import get_parsing_context


def freeze_imported_heap_in_a_task() -> bool:
    """Freeze the heap when parsing for one task; whether it did."""
    if get_parsing_context().dag_id is None:
        return False
    gc.freeze()
    return True


def share_aws_service_models() -> None:
    """Every boto3 session of this process reads botocore's models through one loader
    (lakehouse.aws.service_models says why: a task builds several sessions)."""
    from lakehouse.aws.service_models import share_service_models

    share_service_models()
