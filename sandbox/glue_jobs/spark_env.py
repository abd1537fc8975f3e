"""What a glueetl run gets that a Python shell run does not: Spark, as Glue 5.0 provides it.

Glue 5.0 runs a Spark job's script on Python 3.11 with Spark 3.5 on the path: the script calls
`SparkSession.builder.getOrCreate()` (or awsglue's `GlueContext(SparkContext.getOrCreate())`) and
gets the job's cluster. Here the same call gets a local-mode Spark 3.5.4 (pyspark, pinned to
Glue 5.0's version) on this machine's Java 17, configured through `PYSPARK_SUBMIT_ARGS`:

- master `local[<slots>]`: a G.1X worker is one executor of 4 vCPUs and Glue keeps one worker for
  the driver, so a job of N workers has 4 * (N - 1) task slots; the sandbox gives
  min(that, this machine's CPUs, `spark_cores`) threads in one JVM;
- the JDBC drivers Glue ships for its connection types (PostgreSQL), plus SQLite's (the sandbox's
  own database source), from Debian's packages (`tools/bootstrap_jdbc.sh`), and the run's
  `--extra-jars` on the driver's and executors' class path;
- the run's `--extra-py-files` as `--py-files` (and on the driver's PYTHONPATH), as Glue ships them;
- Spark's UI off and every socket on 127.0.0.1, its scratch space in the run's folder, the session
  time zone UTC (Glue's machines run in UTC).

Not provided: Glue's S3 connector for Spark (EMRFS `s3://` paths in `spark.read`/`df.write`; the
pip pyspark has no hadoop-aws), the Glue Data Catalog as Spark's metastore, job bookmarks, and
DynamicFrames (sandbox/glue_jobs/glue_libs/awsglue says what its awsglue module does).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

JDBC_JARS = (Path("/usr/share/java/postgresql.jar"), Path("/usr/share/java/sqlite-jdbc.jar"))
"""Debian's libpostgresql-jdbc-java and libxerial-sqlite-jdbc-java (tools/bootstrap_jdbc.sh)."""
JNI_DIR = Path("/usr/lib/x86_64-linux-gnu/jni")
"""Where libxerial-sqlite-jdbc-jni puts libsqlitejdbc.so (Debian's sqlite-jdbc loads it from here)."""
GLUE_LIBS = Path(__file__).resolve().parent / "glue_libs"
"""The sandbox's `awsglue` module (only what can honestly be provided)."""
CORES_PER_G1X_EXECUTOR = 4
WORKER_DPUS = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8}


def task_slots(worker_type: str | None, workers: int | None, cap: int | None = None) -> int:
    """Local task threads for a job of `workers` workers of `worker_type` (one is the driver's)."""
    executors = max((workers or 2) - 1, 1)
    per_executor = max(int(CORES_PER_G1X_EXECUTOR * WORKER_DPUS.get(worker_type or "G.1X", 1)), 1)
    return max(min(executors * per_executor, os.cpu_count() or 1, cap or 1 << 16), 1)


def missing_jars() -> list[str]:
    return [str(jar) for jar in JDBC_JARS if not jar.is_file()]


def spark_environment(
    run_dir: Path, slots: int, extra_jars: Sequence[Path], py_files: Sequence[Path]
) -> dict[str, str]:
    """The variables that make the script's SparkSession a local Glue-5.0-like one."""
    class_path = os.pathsep.join([*(str(j) for j in JDBC_JARS), *(str(j) for j in extra_jars)])
    scratch = run_dir / "spark-local"
    scratch.mkdir(parents=True, exist_ok=True)
    java_options = f"-Djava.library.path={JNI_DIR} -Djava.io.tmpdir={scratch}"
    conf = {
        "spark.driver.extraClassPath": class_path,
        "spark.executor.extraClassPath": class_path,
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(scratch),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(run_dir / "spark-warehouse"),
        "spark.app.name": run_dir.name,
    }
    args = ["--master", f"local[{slots}]"]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    if py_files:
        args += ["--py-files", ",".join(str(p) for p in py_files)]
    args.append("pyspark-shell")
    return {
        "PYSPARK_SUBMIT_ARGS": shlex.join(args),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOCAL_DIRS": str(scratch),
    }
