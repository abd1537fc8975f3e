-- <table>_history of a full load: every version the snapshots hold, once each (a record is in
-- every snapshot until it changes), with valid_from its ${timestamp_column} and valid_to the next
-- version's. A live record missing from a later snapshot was deleted: its last version ends on
-- the day of the first snapshot without it (the exact moment is not known), never before the
-- version began. is_current marks the versions of the newest snapshot that <table>_current shows.
CREATE OR REPLACE VIEW ${views_schema}.${table}_history AS
WITH snapshots AS (
    SELECT DISTINCT ${bookmark_col} AS snapshot
    FROM ${external_schema}.${table}
),
ordered_snapshots AS (
    SELECT snapshot, LEAD(snapshot) OVER (ORDER BY snapshot) AS next_snapshot
    FROM snapshots
),
versions AS (
    SELECT
        src.*,
        LEAD(src.${timestamp_column}) OVER (
            PARTITION BY src.id
            ORDER BY src.${timestamp_column}, src.${bookmark_col}
        ) AS next_version_at,
        MAX(src.${bookmark_col}) OVER (PARTITION BY src.id) AS last_snapshot
    FROM ${external_schema}.${table} AS src
),
distinct_versions AS (
    SELECT *
    FROM versions
    WHERE next_version_at IS NULL OR next_version_at > ${timestamp_column}
)
SELECT
    v.*,
    v.${timestamp_column} AS valid_from,
    CASE
        WHEN v.next_version_at IS NOT NULL THEN v.next_version_at
        WHEN COALESCE(v.isdeleted, FALSE) OR os.next_snapshot IS NULL THEN NULL
        ELSE GREATEST(
            v.${timestamp_column},
            CAST(
                SUBSTRING(os.next_snapshot, 1, 4) || '-' || SUBSTRING(os.next_snapshot, 5, 2) || '-'
                || SUBSTRING(os.next_snapshot, 7, 2) AS TIMESTAMP
            )
        )
    END AS valid_to,
    COALESCE(v.isdeleted, FALSE) AS is_deleted,
    (v.next_version_at IS NULL AND os.next_snapshot IS NULL AND NOT COALESCE(v.isdeleted, FALSE))
        AS is_current
FROM distinct_versions AS v
LEFT JOIN ordered_snapshots AS os ON os.snapshot = v.last_snapshot AND v.next_version_at IS NULL
WITH NO SCHEMA BINDING;
