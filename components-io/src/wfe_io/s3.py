"""S3 access through boto3's standard credential chain, with errors a user can act on.

The endpoint and region come from boto3's usual settings (``AWS_ENDPOINT_URL``,
``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, ...) unless a task overrides them with its
``endpoint_url`` / ``region`` params. boto3 is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from wfe_io.locations import S3Object

__all__ = ["MultipartWriter", "S3Error", "S3NotFoundError", "open_object", "s3_client", "s3_errors"]


class S3Error(RuntimeError):
    """An S3 call failed; the message says what was asked and what to do."""


class S3NotFoundError(S3Error, FileNotFoundError):
    """The bucket or the key does not exist."""


def s3_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region)


@contextmanager
def s3_errors(target: S3Object, action: str, endpoint_url: str | None = None) -> Iterator[None]:
    """Translate botocore's exceptions for ``action`` on ``target`` into :class:`S3Error`."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            raise S3NotFoundError(
                f"cannot {action} {target}: bucket '{target.bucket}' does not exist "
                "(check the bucket name, the region and the endpoint)"
            ) from exc
        if code in {"NoSuchKey", "404", "NotFound"}:
            raise S3NotFoundError(
                f"cannot {action} {target}: no object with key '{target.key}' in bucket "
                f"'{target.bucket}' (check the key)"
            ) from exc
        if code in {
            "AccessDenied",
            "403",
            "Forbidden",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
        }:
            message = (
                f"cannot {action} {target}: access denied ({code}); check the credentials "
                "(AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws/credentials) and the bucket's policy"
            )
        else:
            message = f"cannot {action} {target}: {code or 'error'}: {exc}"
        raise S3Error(message) from exc
    except NoCredentialsError as exc:
        raise S3Error(
            f"cannot {action} {target}: no AWS credentials found; set AWS_PROFILE, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure ~/.aws/credentials"
        ) from exc
    except EndpointConnectionError as exc:
        url = urlsplit(str(exc.kwargs.get("endpoint_url") or endpoint_url or ""))
        raise S3Error(
            f"cannot {action} {target}: the S3 endpoint {url.scheme}://{url.netloc} is "
            "unreachable; check AWS_ENDPOINT_URL or the task's endpoint_url, and the network"
        ) from exc
    except BotoCoreError as exc:
        raise S3Error(f"cannot {action} {target}: {exc}") from exc


def open_object(client: Any, target: S3Object, endpoint_url: str | None = None) -> BinaryIO:
    """A streaming, file-like body of ``target`` (read it inside ``s3_errors``)."""
    with s3_errors(target, "read", endpoint_url):
        body: BinaryIO = client.get_object(Bucket=target.bucket, Key=target.key)["Body"]
    return body


class MultipartWriter:
    """Write an object in parts as data arrives: one ``put_object`` when it all fits in
    one part, else a multipart upload that is completed on success and aborted on any
    failure (so no half-written object ever appears)."""

    def __init__(
        self, client: Any, target: S3Object, part_size: int, endpoint_url: str | None = None
    ):
        self.client = client
        self.target = target
        self.part_size = part_size
        self.endpoint_url = endpoint_url
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= self.part_size:
            self._upload_part(bytes(self._buffer[: self.part_size]))
            del self._buffer[: self.part_size]

    def _upload_part(self, data: bytes) -> None:
        bucket, key = self.target.bucket, self.target.key
        with s3_errors(self.target, "write", self.endpoint_url):
            if self._upload_id is None:
                created = self.client.create_multipart_upload(Bucket=bucket, Key=key)
                self._upload_id = created["UploadId"]
            number = len(self._parts) + 1
            part = self.client.upload_part(
                Bucket=bucket, Key=key, UploadId=self._upload_id, PartNumber=number, Body=data
            )
            self._parts.append({"PartNumber": number, "ETag": part["ETag"]})

    def close(self) -> None:
        """Finish the object (the rest of the buffer is the last part)."""
        bucket, key = self.target.bucket, self.target.key
        with s3_errors(self.target, "write", self.endpoint_url):
            if self._upload_id is None:
                self.client.put_object(Bucket=bucket, Key=key, Body=bytes(self._buffer))
                return
        if self._buffer:
            self._upload_part(bytes(self._buffer))
        with s3_errors(self.target, "write", self.endpoint_url):
            self.client.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )

    def abort(self) -> None:
        """Abandon a multipart upload: S3 discards the parts; no object is created."""
        if self._upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.target.bucket, Key=self.target.key, UploadId=self._upload_id
            )
            self._upload_id = None
