"""The gateway: routing by signing name and control path, moto pass-through, clean shutdown."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.gateway import signing_scope
from sandbox.protocol import Request, Response, SandboxContext
from sandbox.registry import Registration, ServiceRegistry
from sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]


class EchoService:
    """Answers `sts` GetCallerIdentity-like POSTs itself, declines everything else (-> moto)."""

    signing_name = "sqs"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.closed = False

    def handle(self, request: Request) -> Response | None:
        if request.path.startswith("/_sandbox/echo/"):
            return Response(200, json.dumps({"path": request.path, "body": request.body.decode()}).encode())
        if request.target == "ListQueues":
            return None
        raise RuntimeError("kaboom")

    def close(self) -> None:
        self.closed = True


def _client(sandbox: Sandbox, service: str) -> Any:
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        endpoint_url=sandbox.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_signing_scope_reads_the_header_or_a_presigned_credential() -> None:
    header = "AWS4-HMAC-SHA256 Credential=testing/20250115/eu-west-1/appflow/aws4_request, SignedHeaders=host"
    assert signing_scope(header) == ("eu-west-1", "appflow")
    assert signing_scope("", "testing/20250115/us-east-1/s3/aws4_request") == ("us-east-1", "s3")
    assert signing_scope("") is None


def test_unregistered_services_and_unsigned_requests_go_to_moto(
    sandbox: Sandbox, s3: Any, aws_client: Any
) -> None:
    s3.put_object(Bucket="appflow-test-zone", Key="gateway/hello.txt", Body=b"hello")
    listed = s3.list_objects_v2(Bucket="appflow-test-zone", Prefix="gateway/")["Contents"]
    assert [item["Key"] for item in listed] == ["gateway/hello.txt"]
    assert "appflow-test-zone" in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    sns = aws_client("sns")
    assert sns.create_topic(Name="gateway-topic")["TopicArn"].endswith(":gateway-topic")
    with urllib.request.urlopen(sandbox.endpoint_url + "/moto-api/data.json", timeout=10) as response:
        assert "sns" in json.loads(response.read())


def test_health_and_unknown_control_paths(sandbox: Sandbox, control: Callable[..., Any]) -> None:
    sandbox.service("appflow")
    health = control("GET", "/_sandbox/health")
    assert health["status"] == "ok"
    assert "sandbox.appflow.service:AppflowService" in health["services"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        control("GET", "/_sandbox/nothing-here/")
    assert missing.value.code == 404


def test_missing_service_module_is_skipped_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    context = SandboxContext(endpoint_url="http://127.0.0.1:1", state_dir="/tmp")
    registry = ServiceRegistry(
        context, [Registration("sandbox.not_written_yet.service:Nothing", ("nothing",))]
    )
    with caplog.at_level(logging.WARNING, logger="sandbox.registry"):
        assert registry.for_signing_name("nothing") is None
    assert "sandbox.not_written_yet.service" in caplog.text
    broken = ServiceRegistry(context, [Registration("json:NoSuchFactory", ("broken",))])
    assert broken.for_signing_name("broken") is None


def test_registered_service_answers_declines_or_fails_cleanly(tmp_path: Path) -> None:
    echo = Registration(f"{__name__}:EchoService", ("sqs",), ("/_sandbox/echo/",))
    with Sandbox(state_dir=tmp_path, registrations=[echo]) as sandbox:
        sqs = _client(sandbox, "sqs")
        assert sqs.list_queues().get("QueueUrls", []) == []  # declined: moto answered
        with pytest.raises(ClientError) as failed:
            sqs.create_queue(QueueName="boom")
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert "kaboom" in str(failed.value)
        request = urllib.request.Request(
            sandbox.endpoint_url + "/_sandbox/echo/x", data=b"ping", method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"path": "/_sandbox/echo/x", "body": "ping"}
        service = sandbox.service("sqs")
    assert isinstance(service, EchoService)
    assert service.closed


def test_stop_leaves_no_thread_behind(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    sandbox = Sandbox(state_dir=tmp_path).start()
    s3 = _client(sandbox, "s3")
    s3.create_bucket(Bucket="stop-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    appflow = _client(sandbox, "appflow")
    appflow.create_connector_profile(
        connectorProfileName="stop-profile",
        connectorType="Salesforce",
        connectionMode="Public",
        connectorProfileConfig={"connectorProfileProperties": {"Salesforce": {}}},
    )
    appflow.create_flow(
        flowName="hangs",
        triggerConfig={"triggerType": "OnDemand"},
        sourceFlowConfig={
            "connectorType": "Salesforce",
            "connectorProfileName": "stop-profile",
            "sourceConnectorProperties": {"Salesforce": {"object": "Lead"}},
        },
        destinationFlowConfigList=[
            {"connectorType": "S3", "destinationConnectorProperties": {"S3": {"bucketName": "stop-test"}}}
        ],
        tasks=[],
    )
    sandbox.service("appflow").inject("hangs", "hang")  # type: ignore[attr-defined]
    appflow.start_flow(flowName="hangs")  # a run that never ends by itself, and keep-alive connections
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(threading.enumerate()) - before == set()


def test_taken_port_is_an_error(sandbox: Sandbox) -> None:
    with pytest.raises(OSError, match="cannot listen"):
        Sandbox(port=sandbox.port).start()


def test_cli_up_prints_the_endpoint_and_down_stops_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sandbox", "up", "--port", "0", "--state-dir", str(tmp_path)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        endpoint = lines[1].strip().removeprefix("export AWS_ENDPOINT_URL=")
        assert endpoint.startswith("http://127.0.0.1:")
        assert "export AWS_ACCESS_KEY_ID=testing" in lines[2]
        assert (tmp_path / "sandbox.pid").read_text().strip() == str(process.pid)
        with urllib.request.urlopen(endpoint + "/_sandbox/health", timeout=10) as response:
            assert json.loads(response.read())["status"] == "ok"
        down = [sys.executable, "-m", "sandbox", "down", "--state-dir", str(tmp_path)]
        subprocess.run(down, cwd=ROOT, env=env, check=True, capture_output=True, timeout=30)
        assert process.wait(timeout=10) == 0
        assert not (tmp_path / "sandbox.pid").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
