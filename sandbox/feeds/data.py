"""The feeds' source records: deterministic, so a test can compute what a run must land.

Records are spread over 2025-01-12 .. 2025-01-15 (the Salesforce orgs' last days too), so a daily
window holds some of them and never all: a run that ignored its window would be caught.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from typing import Any

FIRST_DAY = dt.date(2025, 1, 12)
DAYS = 4
DROP_DAYS = tuple(dt.date(2025, 1, 10) + dt.timedelta(days=n) for n in range(6))
"""Days with a sales-targets file in the landing zone: 2025-01-10 .. 2025-01-15."""

_REGIONS = ["north", "south", "east", "west", "central"]
_SPECIALTIES = ["oncology", "cardiology", "neurology", "immunology", "rheumatology", "dermatology"]
_FIRST = ["Anna", "Ben", "Chiara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas"]
_LAST = ["Keller", "Rossi", "Martin", "Novak", "Berg", "Meyer", "Costa", "Weber", "Huber", "Lind"]
_CITIES = ["Basel", "Zurich", "Milan", "Lyon", "Munich", "Vienna", "Madrid", "Porto"]
_PRODUCTS = ["oncology", "diagnostics", "immunology"]


def _instant(rng: random.Random, index: int) -> dt.datetime:
    day = FIRST_DAY + dt.timedelta(days=index % DAYS)
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60)), dt.UTC)


def territories() -> list[dict[str, Any]]:
    """The CRM database's `territories` table; updated_at as SQLite text (naive = UTC)."""
    rng = random.Random(1301)  # noqa: S311 - synthetic data, not security
    rows = []
    for index in range(40):
        region = _REGIONS[index % len(_REGIONS)]
        rows.append(
            {
                "id": index + 1,
                "code": f"T-{region[:2].upper()}-{index + 1:03d}",
                "name": f"{region.title()} territory {index + 1}",
                "region": region,
                "manager_email": f"manager{rng.randrange(1, 9)}@example.com",
                "quota": round(rng.uniform(50_000, 500_000), 2),
                "active": rng.random() > 0.2,
                "updated_at": _instant(rng, index),
            }
        )
    return rows


def professionals() -> list[dict[str, Any]]:
    """The HCP registry API's records; updated_at as ISO 8601 text with Z, as the API returns it."""
    rng = random.Random(1402)  # noqa: S311 - synthetic data, not security
    return [
        {
            "hcp_id": f"HCP-{index + 1:05d}",
            "first_name": rng.choice(_FIRST),
            "last_name": rng.choice(_LAST),
            "specialty": rng.choice(_SPECIALTIES),
            "city": rng.choice(_CITIES),
            "licensed": rng.random() > 0.1,
            "updated_at": _instant(rng, index).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for index in range(57)
    ]


def sales_targets(day: dt.date) -> list[dict[str, Any]]:
    """The rows of Finance's file for `day`: one target per region and product."""
    rng = random.Random(day.toordinal())  # noqa: S311 - synthetic data, not security
    return [
        {
            "region": region,
            "product": product,
            "month": f"{day:%Y-%m}",
            "target_eur": rng.randrange(10, 500) * 1000,
            "owner": f"finance{rng.randrange(1, 4)}",
        }
        for region in _REGIONS
        for product in _PRODUCTS
    ]


def file_body(rows: list[dict[str, Any]], file_format: str) -> bytes:
    """The rows as Finance would drop them: CSV with a header line, or JSON lines."""
    if file_format == "jsonl":
        return "".join(json.dumps(row) + "\n" for row in rows).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def in_window(value: dt.datetime | str, start: dt.datetime, end: dt.datetime) -> bool:
    instant = (
        value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    )
    return start <= instant < end
