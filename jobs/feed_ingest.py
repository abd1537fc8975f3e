"""Glue entry script of the feed job: `python feed_ingest.py --JOB_NAME <job> --JOB_RUN_ID <run> ...`.

The job itself is the `feed_job` package (its docstring is the contract), which Glue puts on the
path from `--extra-py-files` (the `feed_job.zip` of `make bundle`, uploaded by Terraform). Run from a
checkout, this file's own folder holds the package. The same script runs both engines: the spark
engine (`--engine spark`) uses the SparkSession Glue creates for a glueetl job.
"""

from __future__ import annotations

import sys

from feed_job.job import main

if __name__ == "__main__":
    sys.exit(main())
