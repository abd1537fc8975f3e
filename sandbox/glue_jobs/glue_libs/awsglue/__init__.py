"""The sandbox's `awsglue`: the parts of AWS Glue's Python library that can be provided honestly on
plain pyspark, and a clear error for the rest.

Provided (same names and behaviour as Glue's library, aws-glue-libs):
- `awsglue.utils.getResolvedOptions(argv, options)`: the named `--key value` arguments, required;
- `awsglue.context.GlueContext(spark_context)`: `spark_session`, `get_logger()` (log4j, so the lines
  reach the driver's stderr and the run's `/aws-glue/jobs/error` log stream, as on Glue);
- `awsglue.job.Job(glue_context)`: `init(name, args)` and `commit()` with bookmarks disabled.

Not provided (they need Glue's service side: its catalog as a metastore, its connectors, job
bookmarks): DynamicFrame and every GlueContext method that makes or writes one
(`create_dynamic_frame`, `write_dynamic_frame`, `getSource`, `getSink`, ...), job bookmarks
(`--job-bookmark-option job-bookmark-enable`), `getResolvedOptions` of Glue's own reserved
arguments beyond the ones passed. Each raises NotImplementedError naming what is missing; a job
meant to run in the sandbox uses Spark's own DataFrame API (which Glue runs unchanged).
"""
