"""The feed job: one on-prem source into Parquet for one data interval, replacing its partition.

This docstring is the job's contract, in one place. The package (standard library, boto3 and
pyarrow; pg8000 for a PostgreSQL source on the python engine; pyspark for the spark engine) is shipped
to Glue as `feed_job.zip` through `--extra-py-files` (`make bundle`, Terraform); the entry script
`jobs/feed_ingest.py` only calls `feed_job.job.main`. Terraform runs it as a Glue 5.0 job
(Python 3.11) with the pyarrow and pg8000 versions the tests use (`--additional-python-modules`),
not the older pyarrow Glue bundles. Glue runs it as
`python feed_ingest.py --JOB_NAME <job> --JOB_RUN_ID <run> --key value ...`; arguments it does not
know (Glue adds its own) are ignored.

Contract
--------
Always:
  --source_kind database|api|files
  --window_start, --window_end   ISO 8601 instants (`Z`, an offset, or naive = UTC); start < end.
  --target_location s3://bucket/prefix/.../<partition_col>=<value>/   the interval's partition. Its
                                 last path segment must look like `name=value`: the job deletes
                                 objects under it and refuses to do that to anything else.
  --batch_rows N                 rows per source batch: the database fetch size, the API page
                                 split (default 65,536). Files are read in 4 MiB blocks instead.
  --rows_per_file N              optional: rows per Parquet part before rolling to the next file
                                 (default 1,000,000).
database:
  --source_secret <id>           Secrets Manager secret, JSON {"url": "sqlite:////abs/path.db" or
                                 "postgresql://user:pass@host:port/db[?sslmode=...]", "ca_pem":
                                 "-----BEGIN CERTIFICATE-----..." (optional)}.
                                 PostgreSQL is reached over TLS, libpq's sslmode in the url:
                                   verify-full (the default): TLS, the server's certificate
                                     verified against the CA and its host name checked;
                                   verify-ca: TLS, the certificate verified, not the host name;
                                   require: TLS, the certificate not verified (with ca_pem: its
                                     CA verified, as libpq's require with a root CA file);
                                   prefer: TLS when the server offers it, unverified, else clear;
                                   disable: no TLS (the data crosses the network in clear).
                                 The CA is the system trust store, or exactly the certificates in
                                 ca_pem (PEM text, one or more: an internal CA; Glue has no file
                                 to point at). libpq's `allow` (clear first, TLS only if the server
                                 insists) is refused: pg8000 makes one attempt, and `disable` or
                                 `prefer` say what is meant. Any other sslmode fails naming the
                                 allowed ones; a server without TLS under require/verify-* fails
                                 saying so; a certificate that cannot be verified fails naming
                                 ca_pem. Other url query parameters are ignored.
  --source_table [schema.]table  validated as SQL identifiers ([A-Za-z_][A-Za-z0-9_]*), quoted.
  --timestamp_column col         optional: only rows with window_start <= col < window_end, as
                                 bound parameters. SQLite: the column holds ISO 8601 text (any
                                 SQLite date-time format; naive = UTC), compared at millisecond
                                 precision through strftime(). PostgreSQL: compared by the server
                                 in the column's type, the bounds sent as UTC instants (so a
                                 timestamp without time zone is taken as UTC, whatever the
                                 server's TimeZone).
                                 Read with fetchmany(batch_rows) (sqlite3, read-only), or for
                                 PostgreSQL a server-side `DECLARE ... CURSOR` + `FETCH FORWARD`
                                 through pg8000 (an error says so when pg8000 is not installed);
                                 types from the column types, numeric(p, s) as decimal(p, s),
                                 uuid as string (canonical text), json and jsonb as string (the
                                 JSON text, compact: no spaces after `,` and `:`, non-ASCII kept).
api:
  --source_secret <id>           JSON {"base_url": "https://host/api", "token": "..." (optional,
                                 sent as `Authorization: Bearer`)}.
  --source_path /v1/things       appended to base_url.
  --records_field records        the list of records in each page (default `records`).
  --next_field next              the next page's URL, absolute or relative (default `next`); null
                                 or absent ends. A next page on another origin is refused (the
                                 token would follow it); a repeated URL is refused (a loop).
  --timestamp_column col         optional: the first request gets `since`/`until` = the window
                                 (ISO 8601, Z); next links are followed as given. Rows outside the
                                 window, or with no timestamp, are dropped client-side too.
  --http_attempts 4, --http_backoff_seconds 1.0   optional: attempts per request on HTTP 5xx/429,
                                 timeouts and connection errors (backoff doubles each time); any
                                 other 4xx fails at once with its status. Timeout 60 s a request.
files:
  --source_location s3://bucket/prefix/   every object under it, sorted by key; keys ending in `/`
                                 and names starting with `_` or `.` (markers) are skipped; `.gz`
                                 objects are gunzipped. No object at all fails: "no files under
                                 ..." (an empty drop folder is more likely a missed delivery than
                                 an empty day; a day without data should deliver a header-only
                                 file, which lands an empty partition).
  --file_format csv|jsonl        CSV with a header row, or JSON lines; streamed from S3, never
                                 read whole: cut into 4 MiB blocks at line
                                 ends, parsed (pyarrow.csv.read_csv / pyarrow.json.read_json) on
                                 one thread per CPU with at most two blocks per thread in flight,
                                 and kept in order. A CSV value cannot span lines (pyarrow's
                                 default newlines_in_values=False).
  --timestamp_column col         optional: rows outside the window (or with no timestamp) dropped.

engine (database sources):
  --engine python|spark          python (default): the table is read on the driver, as above.
                                 spark: Spark's JDBC source reads it across the executors of the
                                 job's SparkSession (a Glue Spark job's; plain pyspark, no awsglue):
                                 the same secret, sslmode and ca_pem (pgjdbc: SingleCertValidating
                                 with ca_pem, the JVM's trust store without; require/prefer
                                 unverified), the window pushed down as a subquery, and on each
                                 executor the same casts (PostgreSQL: the catalog's types mapped as
                                 above; SQLite: columns by declared affinity, INTEGER int64, REAL
                                 double, else text), the same schema rules and conversion core.
  --partition_column c --lower_bound L --upper_bound U --num_partitions N
                                 Spark's partitionColumn/lowerBound/upperBound/numPartitions: N
                                 reads of strides of [L, U) on c (the first and last open-ended: no
                                 row is lost outside the bounds). All four or none.
  --predicates '["cond", ...]'   instead: one read per SQL condition (they must cover every row
                                 once). Neither: one read.
  --fetch_size N                 JDBC rows per fetch (default 10,000).
                                 Parts are `part-<JOB_RUN_ID>-<spark partition:05d>-<nnnnn>.parquet`;
                                 the driver replaces the partition only once every task has
                                 committed its parts, and deletes every part of the run otherwise.

Output: Parquet (snappy) parts `part-<JOB_RUN_ID>-<nnnnn>.parquet` under the target, row groups of
up to 1,048,576 rows or 64 MiB of Arrow data (whichever comes first), each
streamed to S3 as a multipart upload while it is written. Only when every part is uploaded are the
other objects under the target deleted, so a failed run leaves the previous partition as it was
(its own parts are deleted) and a rerun replaces it. A zero-row interval writes no part and still
deletes the old ones: the partition is empty, not stale. The last stdout line is a JSON summary.

Types: the first batch fixes the schema (column names and types; a column with only nulls in it is
typed string). Later batches are cast to it (safe casts: int64 into double passes, 1.5 into
int64 does not); a missing column is null; a column that appears later, or a value that does not
fit its column's type, fails with a message naming the column. Timestamps are written as
timestamp[us] (UTC-adjusted timestamp[us, UTC] when the source carries a zone); the
--timestamp_column is always timestamp[us, UTC] (text is parsed as ISO 8601, naive = UTC).

Errors: exit code 1 and the last stderr line is one line `FeedError: <what failed, where>`, which
Glue shows as the run's ErrorMessage. Secret values never reach stdout/stderr: messages are
redacted (secret values and URL credentials become `***`), also in tracebacks of unexpected errors.

Modules: `arguments` (this command line), `redaction` (secrets), `schema` (the type mapping),
`convert` (the conversion core, `convert(batches, sink_factory, rows_per_file)`), `s3` (the sink and
the replace step), `sources/` (database, postgres, pg_tls, api, files), `spark/` (the spark engine),
`job` (the run and `main`). bench/ingest.py measures the file readers and the core on local files.
"""
