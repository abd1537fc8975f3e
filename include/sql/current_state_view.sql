-- The latest version of each record: every daily partition holds the records modified that day,
-- so one Id appears once per day it changed. Late-binding, as views over external tables must be.
CREATE SCHEMA IF NOT EXISTS ${views_schema};
CREATE OR REPLACE VIEW ${views_schema}.${table}_current AS
SELECT *
FROM (
    SELECT
        src.*,
        ROW_NUMBER() OVER (
            PARTITION BY src.id
            ORDER BY src.${timestamp_column} DESC, src.${bookmark_col} DESC
        ) AS version_rank
    FROM ${external_schema}.${table} AS src
) AS ranked
WHERE version_rank = 1
WITH NO SCHEMA BINDING;
