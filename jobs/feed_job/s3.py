"""The S3 sink: parts streamed as multipart uploads, and the replace-only-when-complete step."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import boto3
import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


from .arguments import S3Location
from .convert import PartSink
from .errors import FeedError

S3_PART_BYTES = 16 << 20
"""Multipart part size for uploads (S3's minimum is 5 MiB): the upload buffer's bound."""


def s3_client() -> S3Client:
    """boto3's default chain: the job's role on Glue, AWS_ENDPOINT_URL and test keys in the sandbox."""
    return boto3.client("s3")


def s3_error(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__


def list_keys(s3: S3Client, location: S3Location) -> list[str]:
    """Every key under the location, sorted (ListObjectsV2 pages, so any number of objects)."""
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.prefix
        ):
            keys += [item["Key"] for item in page.get("Contents", [])]
    except (ClientError, BotoCoreError) as error:
        raise FeedError(f"cannot list {location.url()}: {s3_error(error)}") from None
    return sorted(keys)


class S3Part:
    """A part streamed to S3: multipart upload of `part_bytes` parts as the writer fills them.

    A part smaller than one upload part is a single PutObject on commit. Memory: one part buffer.
    """

    def __init__(self, s3: S3Client, bucket: str, key: str, part_bytes: int = S3_PART_BYTES) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.key = key
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._size = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.closed = False

    @property
    def name(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    # the binary file protocol pyarrow.PythonFile uses
    def open(self) -> Any:
        return pa.PythonFile(self, mode="w")

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._size += len(data)
        if len(self._buffer) >= self._part_bytes:
            self._upload_part()
        return len(data)

    def tell(self) -> int:
        return self._size

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        """Parts go up when full, not on flush: S3 parts must be >= 5 MiB except the last."""

    def close(self) -> None:
        """pyarrow closes the file it was given; the upload ends in commit() or abort()."""
        self.closed = True

    def _upload_part(self) -> None:
        try:
            if self._upload_id is None:
                created = self._s3.create_multipart_upload(Bucket=self.bucket, Key=self.key)
                self._upload_id = created["UploadId"]
            number = len(self._parts) + 1
            answer = self._s3.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=bytes(self._buffer),
            )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"upload of {self.name} failed: {s3_error(error)}") from None
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._buffer = bytearray()

    def commit(self) -> int:
        try:
            if self._upload_id is None:
                self._s3.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer))
            else:
                if self._buffer:
                    self._upload_part()
                self._s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
                )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"upload of {self.name} failed: {s3_error(error)}") from None
        self._buffer = bytearray()
        return self._size

    def abort(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is not None:
            with contextlib.suppress(ClientError, BotoCoreError):  # S3 expires it by lifecycle anyway
                self._s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)
            self._upload_id = None


class S3Parts:
    """Sink factory for the target partition; remembers the parts it committed (to undo a failed run)."""

    def __init__(self, s3: S3Client, target: S3Location, run_id: str) -> None:
        self._s3 = s3
        self._target = target
        self.prefix = f"{target.prefix}part-{run_id}-"
        self.opened: list[S3Part] = []

    def __call__(self, index: int) -> PartSink:
        part = S3Part(self._s3, self._target.bucket, f"{self.prefix}{index:05d}.parquet")
        self.opened.append(part)
        return part


def replace_partition(s3: S3Client, target: S3Location, keep_prefix: str) -> int:
    """Delete every object under the target that this run did not write; returns how many."""
    stale = [k for k in list_keys(s3, target) if not k.startswith(keep_prefix)]
    for start in range(0, len(stale), 1000):
        chunk = stale[start : start + 1000]
        try:
            answer = s3.delete_objects(
                Bucket=target.bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(
                f"the new parts are in {target.url()} but deleting the old ones failed: {s3_error(error)}; "
                "rerun to replace the partition"
            ) from None
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise FeedError(
                f"the new parts are in {target.url()} but deleting {first.get('Key')} failed: "
                f"{first.get('Code')}; rerun to replace the partition"
            )
    return len(stale)


def discard(s3: S3Client, parts: S3Parts) -> None:
    """Undo a failed run: delete the parts it committed, so the previous partition is what remains."""
    for part in parts.opened:
        part.abort()
        with contextlib.suppress(ClientError, BotoCoreError):
            s3.delete_object(Bucket=part.bucket, Key=part.key)
