-- <table>_history: every version of every record that a load saw, one row each (a slowly changing
-- dimension of type 2). valid_from is the version's ${timestamp_column}; valid_to is the next
-- version's, null while the version is in force. A live record Salesforce purged (a hard delete,
-- found by a reconciliation) has its last version end at the as_of of the first reconciliation
-- that no longer held it; a deletion version (is_deleted: the Recycle Bin, or a merge, with
-- masterrecordid naming the record it went into) stays in force. is_current marks exactly the
-- versions <table>_current shows. A version loaded twice (windows that overlap after a schedule
-- change) counts once. What a record looked like at a moment T:
--   WHERE id = '...' AND valid_from <= T AND (valid_to > T OR valid_to IS NULL) AND NOT is_deleted
CREATE OR REPLACE VIEW ${views_schema}.${table}_history AS
WITH versions AS (
    SELECT
        src.*,
        LEAD(src.${timestamp_column}) OVER (
            PARTITION BY src.id
            ORDER BY src.${timestamp_column}, src.${bookmark_col}
        ) AS next_version_at
    FROM ${external_schema}.${table} AS src
),
distinct_versions AS (
    SELECT *
    FROM versions
    WHERE next_version_at IS NULL OR next_version_at > ${timestamp_column}
),
reconciliations AS (
    SELECT DISTINCT as_of
    FROM ${external_schema}.${live_ids_table}
),
latest_reconciliation AS (
    SELECT MAX(as_of) AS as_of
    FROM reconciliations
),
purged_candidates AS (
    SELECT v.id, v.${timestamp_column} AS last_at
    FROM distinct_versions AS v
    CROSS JOIN latest_reconciliation AS lr
    LEFT JOIN ${external_schema}.${live_ids_table} AS live
        ON live.id = v.id AND live.as_of = lr.as_of
    WHERE v.next_version_at IS NULL
        AND NOT COALESCE(v.isdeleted, FALSE)
        AND v.${timestamp_column} <= lr.as_of
        AND live.id IS NULL
),
last_held AS (
    SELECT pc.id, MAX(held.as_of) AS held_at
    FROM purged_candidates AS pc
    JOIN ${external_schema}.${live_ids_table} AS held ON held.id = pc.id
    GROUP BY pc.id
),
purged AS (
    SELECT pc.id, MIN(r.as_of) AS purged_at
    FROM purged_candidates AS pc
    LEFT JOIN last_held AS lh ON lh.id = pc.id
    JOIN reconciliations AS r
        ON r.as_of >= pc.last_at AND (lh.held_at IS NULL OR r.as_of > lh.held_at)
    GROUP BY pc.id
)
SELECT
    v.*,
    v.${timestamp_column} AS valid_from,
    COALESCE(v.next_version_at, purged.purged_at) AS valid_to,
    COALESCE(v.isdeleted, FALSE) AS is_deleted,
    (v.next_version_at IS NULL AND purged.id IS NULL AND NOT COALESCE(v.isdeleted, FALSE)) AS is_current
FROM distinct_versions AS v
LEFT JOIN purged ON purged.id = v.id AND v.next_version_at IS NULL
WITH NO SCHEMA BINDING;
