"""Which files a finished load may delete: only what is older than the load the catalog reads."""

from __future__ import annotations

import datetime as dt

from lakehouse.aws.superseded import StoredFile, superseded

P = "appflow/p1/account/appflow_date_str=20250114/"
FLOW = P + "dev-p1-account/"
T0 = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_the_loads_a_rerun_replaced_go_and_the_registered_one_stays() -> None:
    files = [
        StoredFile(FLOW + "first/part-00000.parquet", at(0)),
        StoredFile(FLOW + "failed/part-00000.parquet", at(10)),  # a failed rerun's partial file
        StoredFile(FLOW + "good/part-00000.parquet", at(20)),
        StoredFile(FLOW + "good/part-00001.parquet", at(21)),
    ]
    assert superseded(files, FLOW + "good/") == [
        FLOW + "failed/part-00000.parquet",
        FLOW + "first/part-00000.parquet",
    ]


def test_a_newer_load_of_an_overlapping_run_is_never_deleted() -> None:
    """A backfill and a scheduled run of one interval: the other run wrote after ours and has not
    registered yet (or registered after we read the catalog). Its files must survive our prune."""
    files = [
        StoredFile(FLOW + "ours/part-00000.parquet", at(5)),
        StoredFile(FLOW + "theirs/part-00000.parquet", at(6)),
        StoredFile(FLOW + "old/part-00000.parquet", at(1)),
    ]
    assert superseded(files, FLOW + "ours/") == [FLOW + "old/part-00000.parquet"]


def test_files_outside_any_load_folder_go_when_older() -> None:
    """What a previous layout left directly under the partition path, e.g. before this rule."""
    files = [StoredFile(P + "part-00000.parquet", at(0)), StoredFile(FLOW + "new/part-00000.parquet", at(9))]
    assert superseded(files, FLOW + "new/") == [P + "part-00000.parquet"]


def test_nothing_goes_when_the_registered_folder_holds_no_file() -> None:
    files = [StoredFile(FLOW + "first/part-00000.parquet", at(0))]
    assert superseded(files, FLOW + "gone/") == []
    assert superseded([], FLOW + "gone/") == []


def test_a_failed_load_newer_than_the_registered_one_waits_for_the_next_good_run() -> None:
    files = [
        StoredFile(FLOW + "good/part-00000.parquet", at(0)),
        StoredFile(FLOW + "failed/x.parquet", at(30)),
    ]
    assert superseded(files, FLOW + "good/") == []
