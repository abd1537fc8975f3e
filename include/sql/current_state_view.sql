-- <table>_current: the org's live records as the lake knows them. Each partition holds the
-- versions whose ${timestamp_column} fell in its interval, deleted ones included (queryAll), so an
-- Id appears once per interval it changed in. The latest version of each Id wins, and the record is
-- left out when that version is a deletion (isdeleted: the Recycle Bin, or a merge), or when the
-- latest reconciliation (${live_ids_table}: an Id-only load of the live records as of its as_of)
-- was made after it and does not hold the Id: Salesforce purged the record (a hard delete).
-- Late-binding, as views over external tables must be.
CREATE SCHEMA IF NOT EXISTS ${views_schema};
CREATE OR REPLACE VIEW ${views_schema}.${table}_current AS
WITH ranked AS (
    SELECT
        src.*,
        ROW_NUMBER() OVER (
            PARTITION BY src.id
            ORDER BY src.${timestamp_column} DESC, src.${bookmark_col} DESC
        ) AS version_rank
    FROM ${external_schema}.${table} AS src
),
reconciled AS (
    SELECT MAX(as_of) AS as_of
    FROM ${external_schema}.${live_ids_table}
),
live AS (
    SELECT ids.id
    FROM ${external_schema}.${live_ids_table} AS ids
    JOIN reconciled ON ids.as_of = reconciled.as_of
)
SELECT ranked.*
FROM ranked
CROSS JOIN reconciled
LEFT JOIN live ON live.id = ranked.id
WHERE ranked.version_rank = 1
    AND NOT COALESCE(ranked.isdeleted, FALSE)
    AND (
        reconciled.as_of IS NULL
        OR ranked.${timestamp_column} > reconciled.as_of
        OR live.id IS NOT NULL
    )
WITH NO SCHEMA BINDING;
