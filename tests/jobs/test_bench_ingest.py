"""bench/ingest.py's pieces on a 1 MB input: the generator is deterministic and every variant's
runner converts all of it (no timing asserted: benchmarks are not tests)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest

from bench import ingest


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_generator_and_runners_on_one_megabyte(tmp_path: Path, file_format: str) -> None:
    source = tmp_path / f"data.{file_format}"
    meta = ingest.generate(source, file_format, 1)

    assert meta == {"version": ingest.GENERATOR_VERSION, "format": file_format, "rows": meta["rows"],
                    "bytes": source.stat().st_size}  # fmt: skip
    assert 900_000 <= meta["bytes"] <= 1_100_000
    table = pa_csv.read_csv(source) if file_format == "csv" else pa_json.read_json(source)
    assert table.num_rows == meta["rows"]
    assert table.column_names == [
        "id",
        "account_id",
        "name",
        "country",
        "amount",
        "score",
        "created_at",
        "updated_at",
    ]
    assert table["id"].to_pylist() == list(range(meta["rows"]))
    assert table.schema.field("account_id").type == pa.string()
    assert pa.types.is_timestamp(table.schema.field("created_at").type)
    again = tmp_path / f"again.{file_format}"
    ingest.generate(again, file_format, 1)
    assert again.read_bytes() == source.read_bytes()  # deterministic

    for variant, runner in ingest.RUNNERS.items():
        out = tmp_path / variant
        out.mkdir()
        assert runner(file_format, source, out) == meta["rows"]
        written = pa.concat_tables(pq.read_table(p) for p in sorted(out.glob("*.parquet")))
        assert written.num_rows == meta["rows"]
        assert sorted(written["id"].to_pylist()) == list(range(meta["rows"]))
        assert pa.types.is_timestamp(written.schema.field("updated_at").type), variant


def test_measure_once_runs_a_child_and_verifies_its_output(tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    meta = ingest.generate(source, "csv", 1)

    result = ingest.measure_once("ours", "csv", source, meta["rows"])

    assert result["status"] == "ok"
    assert result["rows"] == meta["rows"]
    assert result["files"] == 1
    assert result["peak_kib"] >= result["baseline_kib"] > 0


@pytest.mark.bench
@pytest.mark.spark
def test_spark_bench_on_a_small_table(tmp_path: Path) -> None:
    """The big case is `make bench-ingest`; this runs its code on 20 MB (pytest -m bench)."""
    from bench import ingest_spark

    ingest_spark.main(["--gigabytes", "0.02", "--out", str(tmp_path)])
    report = (tmp_path / "ingest_spark.md").read_text()
    assert "| spark-2 | 2 |" in report
    assert "failed" not in report
    assert "wrong rows" not in report
