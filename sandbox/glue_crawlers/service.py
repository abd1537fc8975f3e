"""Glue's crawler operations (JSON protocol, `X-Amz-Target: AWSGlue.<Operation>`), per region.

CreateCrawler, GetCrawler(s), BatchGetCrawlers, ListCrawlers, UpdateCrawler, DeleteCrawler,
StartCrawler, StopCrawler, GetCrawlerMetrics, ListCrawls and the schedule operations are served
here; every other Glue request returns None and goes on to moto (the catalog the crawls write,
the tags CreateCrawler files under the crawler's ARN).

A crawl moves through the crawler's states as on AWS: RUNNING (for `start_seconds`, then the crawl
itself), STOPPING (`stop_seconds`), READY, with LastCrawl SUCCEEDED, FAILED (ErrorMessage) or
CANCELLED (StopCrawler). AWS takes about a minute for the smallest crawl; the defaults (30 s and
15 s) come from `SANDBOX_GLUE_CRAWLER_START_SECONDS` / `SANDBOX_GLUE_CRAWLER_STOP_SECONDS`, and
tests lower the attributes or `POST /_sandbox/glue-crawlers/timing {"start_seconds", "stop_seconds"}`.
Schedules are kept and shown; the sandbox starts no scheduled crawl.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from typing import Any

import boto3
import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.awsjson import ApiError, RequestOperation, dispatch_request
from sandbox.glue_crawlers.catalog import Policy
from sandbox.glue_crawlers.crawl import (
    Clients,
    CrawlCancelledError,
    CrawlError,
    CrawlRequest,
    clients,
    configuration,
    run_crawl,
)
from sandbox.glue_crawlers.model import (
    CANCELLED,
    DEFAULT_SCHEMA_CHANGE_POLICY,
    DEFINITION_KEYS,
    FAILED,
    READY,
    RUNNING,
    STOPPING,
    SUCCEEDED,
    TARGET_KINDS,
    Crawl,
    Crawler,
)
from sandbox.protocol import Request, Response, SandboxContext

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/glue-crawlers/"
_NAME = re.compile(r"[\u0020-\uD7FF\uE000-\uFFFD\t]{1,255}")
_JOIN_SECONDS = 10.0
_NEW_FOLDERS_ONLY_POLICY = (
    'The SchemaChangePolicy for "Crawl new folders only" Amazon S3 target can have only LOG '
    "DeleteBehavior value and LOG UpdateBehavior value."
)


class GlueCrawlerService:
    signing_name = "glue"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.start_seconds = float(os.environ.get("SANDBOX_GLUE_CRAWLER_START_SECONDS", "30"))
        self.stop_seconds = float(os.environ.get("SANDBOX_GLUE_CRAWLER_STOP_SECONDS", "15"))
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._crawlers: dict[tuple[str, str], Crawler] = {}
        self._stops: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._clients: dict[str, Clients] = {}
        self._operations: dict[str, RequestOperation] = {
            "CreateCrawler": self._create,
            "GetCrawler": self._get,
            "GetCrawlers": self._get_all,
            "BatchGetCrawlers": self._batch_get,
            "ListCrawlers": self._list,
            "UpdateCrawler": self._update,
            "DeleteCrawler": self._delete,
            "StartCrawler": self._start,
            "StopCrawler": self._stop,
            "GetCrawlerMetrics": self._metrics,
            "ListCrawls": self._list_crawls,
            "UpdateCrawlerSchedule": self._update_schedule,
            "StartCrawlerSchedule": self._start_schedule,
            "StopCrawlerSchedule": self._stop_schedule,
        }

    def handle(self, request: Request) -> Response | None:
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        return dispatch_request(self._operations, request)

    def crawler(self, name: str, region: str | None = None) -> Crawler:
        """A crawler as the service holds it (for tests)."""
        with self._lock:
            return self._crawler(region or self.context.region, name)

    def close(self) -> None:
        """End every crawl (as if stopped) and join its thread."""
        self._closing.set()
        with self._lock:
            stops = list(self._stops.values())
            threads = list(self._threads.values())
        for stop in stops:
            stop.set()
        for thread in threads:
            thread.join(_JOIN_SECONDS)

    # Definitions ------------------------------------------------------------------------------

    def _create(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body)
        for key in ("Role", "Targets"):
            if not body.get(key):
                raise ApiError("InvalidInputException", f"{key} is required")
        definition = _definition(body)
        crawler = Crawler(name, request.region, request.account_id, definition, schedule=body.get("Schedule"))
        if crawler.schedule:
            crawler.schedule_state = "SCHEDULED"
        with self._lock:
            if (request.region, name) in self._crawlers:
                raise ApiError("AlreadyExistsException", f"{name} already exists.")
            self._crawlers[(request.region, name)] = crawler
        if body.get("Tags"):
            self._client(request.region).glue.tag_resource(
                ResourceArn=crawler.arn, TagsToAdd=dict(body["Tags"])
            )
        return {}

    def _get(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            return {"Crawler": self._crawler(request.region, _name(body)).describe()}

    def _get_all(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawlers = [c.describe() for c in self._in_region(request.region)]
        page, token = _page(body, crawlers)
        return {"Crawlers": page, **({"NextToken": token} if token else {})}

    def _batch_get(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        names = list(body.get("CrawlerNames") or [])
        with self._lock:
            found = {
                n: self._crawlers[(request.region, n)] for n in names if (request.region, n) in self._crawlers
            }
            return {
                "Crawlers": [found[n].describe() for n in names if n in found],
                "CrawlersNotFound": [n for n in names if n not in found],
            }

    def _list(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawlers = self._in_region(request.region)
        wanted = dict(body.get("Tags") or {})
        if wanted:
            glue = self._client(request.region).glue
            crawlers = [
                c
                for c in crawlers
                if wanted.items() <= dict(glue.get_tags(ResourceArn=c.arn).get("Tags") or {}).items()
            ]
        page, token = _page(body, [c.name for c in crawlers])
        return {"CrawlerNames": page, **({"NextToken": token} if token else {})}

    def _update(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body)
        with self._lock:
            crawler = self._crawler(request.region, name)
            if crawler.state != READY:
                raise ApiError("CrawlerRunningException", f"Crawler with name {name} has already started")
            merged = {**crawler.definition, **{k: body[k] for k in DEFINITION_KEYS if k in body}}
            crawler.definition = _definition(merged)
            if "Schedule" in body:
                crawler.schedule = body.get("Schedule") or None
                crawler.schedule_state = "SCHEDULED" if crawler.schedule else "NOT_SCHEDULED"
            crawler.version += 1
            crawler.updated = time.time()
        return {}

    def _delete(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body)
        with self._lock:
            crawler = self._crawler(request.region, name)
            if crawler.state != READY:
                raise ApiError("CrawlerRunningException", f"Crawler with name {name} is running")
            del self._crawlers[(request.region, name)]
        return {}

    def _update_schedule(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawler = self._crawler(request.region, str(body.get("CrawlerName", "")))
            crawler.schedule = body.get("Schedule") or None
            crawler.schedule_state = "SCHEDULED" if crawler.schedule else "NOT_SCHEDULED"
        return {}

    def _start_schedule(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawler = self._crawler(request.region, str(body.get("CrawlerName", "")))
            if not crawler.schedule:
                raise ApiError("NoScheduleException", f"Crawler {crawler.name} has no schedule")
            if crawler.schedule_state == "SCHEDULED":
                raise ApiError("SchedulerRunningException", f"Schedule of {crawler.name} is already running")
            crawler.schedule_state = "SCHEDULED"
        return {}

    def _stop_schedule(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawler = self._crawler(request.region, str(body.get("CrawlerName", "")))
            if crawler.schedule_state != "SCHEDULED":
                raise ApiError("SchedulerNotRunningException", f"Schedule of {crawler.name} is not running")
            crawler.schedule_state = "NOT_SCHEDULED"
        return {}

    # Crawls -----------------------------------------------------------------------------------

    def _start(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body)
        with self._lock:
            if self._closing.is_set():
                raise ApiError("OperationTimeoutException", "the sandbox is stopping", status=500)
            crawler = self._crawler(request.region, name)
            if crawler.state != READY:
                raise ApiError("CrawlerRunningException", f"Crawler with name {name} has already started")
            crawl = Crawl()
            crawler.crawls.append(crawl)
            crawler.state = RUNNING
            stop = threading.Event()
            thread = threading.Thread(
                target=self._run, args=(crawler, crawl, stop), name=f"glue-crawl-{name[:20]}", daemon=True
            )
            self._stops[crawl.id] = stop
            self._threads[crawl.id] = thread
        thread.start()
        return {}

    def _stop(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body)
        with self._lock:
            crawler = self._crawler(request.region, name)
            if crawler.state == READY:
                raise ApiError("CrawlerNotRunningException", f"Crawler with name {name} isn't running")
            if crawler.state == STOPPING:
                raise ApiError("CrawlerStoppingException", f"Crawler with name {name} is stopping")
            crawler.state = STOPPING
            self._stops[crawler.crawls[-1].id].set()
        return {}

    def _metrics(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        names = body.get("CrawlerNameList")
        with self._lock:
            crawlers = [c for c in self._in_region(request.region) if not names or c.name in names]
            metrics = [c.metrics() for c in crawlers]
        page, token = _page(body, metrics)
        return {"CrawlerMetricsList": page, **({"NextToken": token} if token else {})}

    def _list_crawls(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            crawler = self._crawler(request.region, str(body.get("CrawlerName", "")))
            crawls = [crawl.history(crawler.name) for crawl in reversed(crawler.crawls)]
        for item in body.get("Filters") or []:
            crawls = [c for c in crawls if _matches(c, item)]
        page, token = _page(body, crawls)
        return {"Crawls": page, **({"NextToken": token} if token else {})}

    def _run(self, crawler: Crawler, crawl: Crawl, stop: threading.Event) -> None:
        """RUNNING (startup, then the crawl), STOPPING, READY; every outcome ends READY (boundary)."""
        status, error = CANCELLED, None
        try:
            if not stop.wait(self.start_seconds):
                self._crawl(crawler, crawl, stop)
                status = SUCCEEDED
        except CrawlCancelledError:
            status = CANCELLED
        except CrawlError as exc:
            status, error = FAILED, str(exc)
        except (ClientError, BotoCoreError, pa.ArrowException, OSError, ValueError, RuntimeError) as exc:
            log.exception("crawl %s of %s failed", crawl.id, crawler.name)
            status, error = FAILED, f"Internal Service Exception: {exc!r}"
        with self._lock:
            crawler.state = STOPPING
        if not self._closing.is_set():
            self._closing.wait(self.stop_seconds)
        with self._lock:
            crawl.ended, crawl.status, crawl.error = time.time(), status, error
            crawler.state = READY
            self._stops.pop(crawl.id, None)
            self._threads.pop(crawl.id, None)
        log.info("crawl %s of %s: %s %s", crawl.id, crawler.name, status, error or crawl.summary)

    def _crawl(self, crawler: Crawler, crawl: Crawl, stop: threading.Event) -> None:
        with self._lock:
            definition = dict(crawler.definition)
        targets = definition.get("Targets") or {}
        others = [kind for kind in TARGET_KINDS if kind != "S3Targets" and targets.get(kind)]
        if others:
            raise CrawlError(f"The sandbox crawls S3 targets only, not {', '.join(others)}")
        if not definition.get("DatabaseName"):
            raise CrawlError("The crawler has no DatabaseName to write its tables to")
        config = configuration(definition.get("Configuration"))
        output = config.get("CrawlerOutput") or {}
        policy = {**DEFAULT_SCHEMA_CHANGE_POLICY, **(definition.get("SchemaChangePolicy") or {})}
        request = CrawlRequest(
            crawler=crawler.name,
            database=str(definition["DatabaseName"]),
            targets=list(targets.get("S3Targets") or []),
            policy=Policy(
                crawler=crawler.name,
                database=str(definition["DatabaseName"]),
                table_prefix=str(definition.get("TablePrefix") or ""),
                update_behavior=str(policy["UpdateBehavior"]),
                delete_behavior=str(policy["DeleteBehavior"]),
                merge_new_columns=(output.get("Tables") or {}).get("AddOrUpdateBehavior")
                == "MergeNewColumns",
                inherit_from_table=(output.get("Partitions") or {}).get("AddOrUpdateBehavior")
                == "InheritFromTable",
            ),
            grouping=dict(config.get("Grouping") or {}),
            table_threshold=_threshold(config),
            cancelled=stop.is_set,
        )
        changes = run_crawl(request, self._client(crawler.region))
        crawl.summary = changes.summary()
        crawl.tables_created = changes.tables_created
        crawl.tables_updated = changes.tables_updated
        crawl.tables_deleted = changes.tables_deleted

    # Helpers ----------------------------------------------------------------------------------

    def _crawler(self, region: str, name: str) -> Crawler:
        crawler = self._crawlers.get((region, name))
        if crawler is None:
            raise ApiError("EntityNotFoundException", f"Crawler entry with name {name} does not exist")
        return crawler

    def _in_region(self, region: str) -> list[Crawler]:
        return [c for (r, _), c in sorted(self._crawlers.items()) if r == region]

    def _client(self, region: str) -> Clients:
        """The region's clients, built once and outside the lock (creating a boto3 client costs
        about a second, and GetCrawler polls must not wait for it)."""
        with self._lock:
            found = self._clients.get(region)
        if found is None:
            built = clients(self.context.endpoint_url, region, boto3.session.Session())
            with self._lock:
                found = self._clients.setdefault(region, built)
        return found

    def _control(self, request: Request) -> Response:
        action = request.path.removeprefix(CONTROL_PREFIX).strip("/")
        if request.method == "POST" and action == "timing":
            try:
                body = json.loads(request.body or b"{}")
                self.start_seconds = float(body.get("start_seconds", self.start_seconds))
                self.stop_seconds = float(body.get("stop_seconds", self.stop_seconds))
            except (ValueError, TypeError, AttributeError) as exc:
                return _reply(400, {"message": f"bad control request: {exc!r}"})
        elif not (request.method == "GET" and action in {"", "timing"}):
            return _reply(404, {"message": f"unknown control endpoint {request.method} {request.path}"})
        return _reply(200, {"start_seconds": self.start_seconds, "stop_seconds": self.stop_seconds})


def _definition(body: dict[str, Any]) -> dict[str, Any]:
    """The crawler's definition, validated as CreateCrawler / UpdateCrawler validate it."""
    definition = {key: body[key] for key in DEFINITION_KEYS if body.get(key) is not None}
    targets = definition.get("Targets") or {}
    if not any(targets.get(kind) for kind in TARGET_KINDS):
        raise ApiError("InvalidInputException", "Crawler must have at least one target")
    for target in targets.get("S3Targets") or []:
        if not str(target.get("Path", "")).startswith("s3://"):
            raise ApiError("InvalidInputException", f"Invalid S3 target path: {target.get('Path')}")
    if "Configuration" in definition:
        try:
            configuration(str(definition["Configuration"]))
        except json.JSONDecodeError as exc:
            raise ApiError(
                "InvalidInputException", f"Crawler configuration is not valid JSON: {exc}"
            ) from exc
    recrawl = (definition.get("RecrawlPolicy") or {}).get("RecrawlBehavior", "CRAWL_EVERYTHING")
    policy = {**DEFAULT_SCHEMA_CHANGE_POLICY, **(definition.get("SchemaChangePolicy") or {})}
    if recrawl == "CRAWL_NEW_FOLDERS_ONLY" and (policy["UpdateBehavior"], policy["DeleteBehavior"]) != (
        "LOG",
        "LOG",
    ):
        raise ApiError("InvalidInputException", _NEW_FOLDERS_ONLY_POLICY)
    return definition


def _threshold(config: dict[str, Any]) -> int | None:
    value = config.get("CrawlerOutput", {}).get("Tables", {}).get("TableThreshold")
    return int(value) if value is not None else None


def _name(body: dict[str, Any]) -> str:
    name = body.get("Name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ApiError("InvalidInputException", "Name must be 1-255 characters")
    return name


def _page(body: dict[str, Any], items: list[Any]) -> tuple[list[Any], str | None]:
    start = int(body.get("NextToken") or 0)
    limit = int(body.get("MaxResults") or 100)
    return items[start : start + limit], (str(start + limit) if start + limit < len(items) else None)


def _matches(crawl: dict[str, Any], item: dict[str, Any]) -> bool:
    field = {
        "CRAWL_ID": "CrawlId",
        "STATE": "State",
        "START_TIME": "StartTime",
        "END_TIME": "EndTime",
        "DPU_HOUR": "DPUHour",
    }.get(str(item.get("FieldName")), "")
    value, wanted = crawl.get(field), item.get("FieldValue")
    operator = item.get("FilterOperator", "EQ")
    if value is None:
        return False
    if operator in {"EQ", "NE"}:
        return bool((str(value) == str(wanted)) == (operator == "EQ"))
    number, limit = float(value), float(wanted or 0)
    compared = {"GT": number > limit, "GE": number >= limit, "LT": number < limit, "LE": number <= limit}
    return bool(compared.get(str(operator), False))


def _reply(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})
