"""A paged REST API of JSON records, followed through its next links, with retries."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    pass


from ..arguments import Window
from ..errors import FeedError
from ..schema import batch_from_columns

HTTP_TIMEOUT_SECONDS = 60.0


def api_batches(
    base_url: str,
    token: str | None,
    path: str,
    records_field: str,
    next_field: str,
    window: Window | None,
    batch_rows: int,
    attempts: int = 4,
    backoff_seconds: float = 1.0,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """Pages of JSON records following `next` links; each page split into batches of `batch_rows`."""
    url = urllib.parse.urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))
    if window is not None:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query += [("since", window.iso(window.start)), ("until", window.iso(window.end))]
        url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    origin = urllib.parse.urlsplit(url)[:2]
    headers = {"Accept": "application/json", "User-Agent": "feed-ingest/1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    seen: set[str] = set()
    page_number = 0
    while url:
        page_number += 1
        where = f"GET {_safe_url(url)} (page {page_number})"
        if url in seen:
            raise FeedError(f"{where}: the next link repeats a page already read (a loop)")
        seen.add(url)
        body = _get_json(url, headers, where, attempts, backoff_seconds)
        if not isinstance(body, dict):
            raise FeedError(f"{where}: the response is not a JSON object")
        records = body.get(records_field)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FeedError(f"{where}: {records_field!r} is not a list of JSON objects")
        for start in range(0, len(records), batch_rows):
            chunk = records[start : start + batch_rows]
            names = list(dict.fromkeys(key for record in chunk for key in record))
            columns = [[record.get(name) for record in chunk] for name in names]
            yield where, batch_from_columns(names, columns, where)
        link = body.get(next_field)
        if link is None or link == "":
            return
        if not isinstance(link, str):
            raise FeedError(f"{where}: {next_field!r} is not a URL")
        url = urllib.parse.urljoin(url, link)
        if urllib.parse.urlsplit(url)[:2] != origin:
            raise FeedError(f"{where}: the next link leaves {origin[0]}://{origin[1]}; refused")


def _safe_url(url: str) -> str:
    """The URL without credentials or query (a query may carry keys): for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def _get_json(url: str, headers: dict[str, str], where: str, attempts: int, backoff: float) -> Any:
    """GET with retries on 5xx/429, timeouts and connection errors; any other 4xx fails at once."""
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) from the secret
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            if error.code < 500 and error.code != 429:
                raise FeedError(f"{where}: HTTP {error.code} {error.reason} (not retried)") from None
            last = f"HTTP {error.code} {error.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            last = f"{type(error).__name__}: {reason}"
        else:
            try:
                return json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise FeedError(f"{where}: the response is not JSON: {error}") from None
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    raise FeedError(f"{where}: failed after {attempts} attempts, last: {last}")
