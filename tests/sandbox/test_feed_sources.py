"""The feeds' local sources: the SQLite database, the paged API over HTTP, failure injection."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.feeds import data
from sandbox.feeds.service import TOKEN, FeedSources, sources
from sandbox.server import Sandbox


@pytest.fixture
def feeds(sandbox: Sandbox) -> Iterator[FeedSources]:
    service = sources(sandbox.service("/_sandbox/feeds/"))
    yield service
    service.reset()


def get(url: str, token: str | None = TOKEN) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_the_sources_are_described_and_the_database_holds_the_territories(
    sandbox: Sandbox, feeds: FeedSources
) -> None:
    status, described = get(sandbox.endpoint_url + "/_sandbox/feeds/", token=None)
    assert status == 200
    assert described == {
        "database_url": feeds.database_url,
        "api_base_url": f"{sandbox.endpoint_url}/_sandbox/feeds/hcp-registry",
        "api_token": TOKEN,
    }
    path = described["database_url"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id, code, updated_at FROM territories ORDER BY id").fetchall()
    connection.close()
    assert [(r[0], r[1]) for r in rows] == [(t["id"], t["code"]) for t in data.territories()]
    assert rows[0][2] == data.territories()[0]["updated_at"].strftime("%Y-%m-%d %H:%M:%S")


def test_the_api_pages_a_window_with_absolute_next_links(feeds: FeedSources) -> None:
    url = feeds.api_base_url + "/api/v1/professionals?since=2025-01-14T00:00:00Z&until=2025-01-15T00:00:00Z"
    seen: list[dict[str, Any]] = []
    pages = 0
    while url:
        status, page = get(url)
        assert status == 200
        seen += page["items"]
        pages += 1
        url = page["next"]
    expected = [
        r["hcp_id"]
        for r in data.professionals()
        if "2025-01-14T00:00:00Z" <= r["updated_at"] < "2025-01-15T00:00:00Z"
    ]
    assert sorted(r["hcp_id"] for r in seen) == sorted(expected)
    assert pages == -(-len(expected) // 10) > 1


def test_the_api_wants_its_token_and_fails_when_told(feeds: FeedSources) -> None:
    url = feeds.api_base_url + "/api/v1/professionals"
    assert get(url, token="wrong")[0] == 401
    feeds.fail_api(503, "maintenance")
    assert get(url) == (503, {"message": "maintenance"})
    feeds.reset()
    status, page = get(url)
    assert status == 200
    assert page["total"] == len(data.professionals())


def test_a_hidden_table_is_gone_until_reset(feeds: FeedSources) -> None:
    feeds.hide_table()
    path = feeds.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection, pytest.raises(sqlite3.OperationalError, match="no such table"):
        connection.execute("SELECT COUNT(*) FROM territories")
    connection.close()
    feeds.reset()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM territories").fetchone() == (len(data.territories()),)
    connection.close()
