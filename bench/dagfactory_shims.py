"""What dag-factory needs to build the provider's AppflowRecordsShortCircuitOperator.

dag-factory refuses any PythonOperator subclass without a `python_callable` in the YAML, and
the provider's operator passes its own callable, so it rejects one given twice. The YAML names
this subclass, which takes the placeholder and drops it; nothing else differs. A team on
dag-factory would need the same few lines in its DAGs folder or plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow.providers.amazon.aws.operators import appflow


class AppflowRecordsShortCircuitOperator(appflow.AppflowRecordsShortCircuitOperator):
    def __init__(self, *, python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
