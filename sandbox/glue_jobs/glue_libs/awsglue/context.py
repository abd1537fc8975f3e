"""GlueContext over a SparkContext: its SparkSession and logger; no DynamicFrames (see __init__)."""

from __future__ import annotations

from typing import Any

_MISSING = (
    "is not available in the sandbox: DynamicFrames need Glue's service (its catalog, connectors "
    "and bookmarks); use the SparkSession (glue_context.spark_session) and DataFrames"
)


class GlueContext:
    def __init__(self, spark_context: Any) -> None:
        from pyspark.sql import SparkSession

        self._sc = spark_context
        self.spark_session = SparkSession(spark_context)

    def get_logger(self) -> Any:
        """A log4j logger, as Glue's: its lines go to the driver's stderr (the error log stream)."""
        jvm = self._sc._jvm
        return jvm.org.apache.log4j.LogManager.getLogger("GlueLogger")

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"GlueContext.{name} {_MISSING}")
