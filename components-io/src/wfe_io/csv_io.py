"""CSV in and out: ``csv_loader``, ``s3_csv_loader`` and ``csv_writer``.

Reading hands the file (or the S3 object's stream) straight to ``pandas.read_csv``;
writing is atomic: a local file is written under a temporary name in the same folder
and renamed into place; an S3 object is one ``put_object`` or a multipart upload that
is aborted on failure. pandas and boto3 are imported when a task runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from wfe import Component, Input, Param
from wfe.atomicfile import atomic_write
from wfe_io.credentials import secret_params
from wfe_io.locations import S3Object, location_problem, parse_location
from wfe_io.s3 import MultipartWriter, open_object, s3_client, s3_errors

__all__ = ["CsvLoader", "CsvWriter", "S3CsvLoader"]

#: pandas.read_csv options a workflow may set.
READ_OPTIONS: dict[str, Param] = {
    "sep": Param(str, default=",", doc="field separator"),
    "usecols": Param(list, default=None, doc="only these columns"),
    "dtype": Param((str, dict), default=None, doc="a type for all columns, or {column: type}"),
    "parse_dates": Param((list, bool), default=None, doc="columns to parse as dates"),
    "nrows": Param(int, default=None, doc="read at most this many rows"),
}
#: Where S3 is, when not from boto3's usual settings (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION).
S3_OPTIONS: dict[str, Param] = {
    "endpoint_url": Param(str, default=None, doc="S3 endpoint (default: boto3's settings)"),
    "region": Param(str, default=None, doc="AWS region (default: boto3's settings)"),
}
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")


def _read_options(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: params[name] for name in READ_OPTIONS if params.get(name) is not None}


def _read_csv(source: Any, params: Mapping[str, Any]) -> Any:
    import pandas as pd

    return pd.read_csv(source, **_read_options(params))


def _read_s3(target: S3Object, params: Mapping[str, Any]) -> Any:
    endpoint = params.get("endpoint_url")
    client = s3_client(endpoint, params.get("region"))
    body = open_object(client, target, endpoint)
    with s3_errors(target, "read", endpoint):
        try:
            return _read_csv(body, params)
        finally:
            body.close()


def _check_location(params: Mapping[str, Any], name: str) -> Iterable[tuple[str | None, str]]:
    problem = location_problem(params[name]) if isinstance(params.get(name), str) else None
    return [(name, problem)] if problem else []


class CsvLoader(Component):
    """Read a CSV file into a DataFrame.

    ``path`` is a local path or an ``s3://bucket/key`` URI, so a workflow reads local
    files by default and S3 by changing one variable. S3 uses boto3's credential chain.
    """

    params_schema = {
        "path": Param(str, doc="a local path or s3://bucket/key"),
        **READ_OPTIONS,
        **S3_OPTIONS,
    }
    inputs_schema = {}
    outputs_schema = {"frame": "the CSV's rows as a pandas DataFrame"}
    reads = ("path",)

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from secret_params(params, cls.params_schema)
        yield from _check_location(params, "path")

    def run(self) -> Any:
        location = parse_location(self.params["path"])
        if isinstance(location, S3Object):
            return _read_s3(location, self.params)
        if not location.is_file():
            raise FileNotFoundError(
                f"no file {location} (from path '{self.params['path']}', relative to "
                f"{Path.cwd()}); check the path or the variable that sets it"
            )
        return _read_csv(location, self.params)


class S3CsvLoader(Component):
    """Read a CSV object from S3 (the seed's shape: ``bucket`` and ``key``)."""

    params_schema = {
        "bucket": Param(str, doc="the bucket's name"),
        "key": Param(str, doc="the object's key"),
        **READ_OPTIONS,
        **S3_OPTIONS,
    }
    inputs_schema = {}
    outputs_schema = {"frame": "the CSV's rows as a pandas DataFrame"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from secret_params(params, cls.params_schema)
        bucket = params.get("bucket")
        if isinstance(bucket, str) and not _BUCKET.fullmatch(bucket):
            yield (
                "bucket",
                (
                    f"'{bucket}' is not a bucket name (3-63 lowercase letters, digits, '.', '-'); "
                    "for a full s3:// URI use csv_loader's path"
                ),
            )

    @classmethod
    def read_locations(cls, params: Mapping[str, Any], literals: Mapping[str, str]) -> list[str]:
        return [str(S3Object(params["bucket"], params["key"]))]

    def run(self) -> Any:
        return _read_s3(S3Object(self.params["bucket"], self.params["key"]), self.params)


class CsvWriter(Component):
    """Write a DataFrame as CSV to a local path or an ``s3://`` URI, atomically.

    A local file appears complete or not at all (written to a temporary file in the
    same folder, then renamed); an S3 object is uploaded in parts of ``part_size_mb``
    and the upload is aborted if anything fails.
    """

    params_schema = {
        "path": Param(str, doc="a local path or s3://bucket/key"),
        "sep": Param(str, default=",", doc="field separator"),
        "index": Param(bool, default=False, doc="also write the DataFrame's index"),
        "part_size_mb": Param(int, default=64, doc="S3 multipart part size (at least 5)"),
        **S3_OPTIONS,
    }
    inputs_schema = {"data": Input("the DataFrame to write")}
    outputs_schema = {}
    writes = ("path",)

    #: rows converted to CSV text at a time (bounds the memory of a large write)
    rows_per_chunk = 100_000

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from secret_params(params, cls.params_schema)
        yield from _check_location(params, "path")
        if params.get("part_size_mb", 64) < 5:
            yield "part_size_mb", "part_size_mb must be at least 5 (S3's smallest part)"

    def run(self, data: Any) -> None:
        location = parse_location(self.params["path"])
        if isinstance(location, S3Object):
            self._write_s3(data, location)
        else:
            self._write_local(data, location)

    def _chunks(self, frame: Any) -> Iterable[str]:
        step = self.rows_per_chunk
        for start in range(0, max(len(frame), 1), step):
            yield frame.iloc[start : start + step].to_csv(
                sep=self.params["sep"], index=self.params["index"], header=start == 0
            )

    def _write_local(self, frame: Any, path: Path) -> None:
        with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
            for text in self._chunks(frame):
                handle.write(text)

    def _write_s3(self, frame: Any, target: S3Object) -> None:
        endpoint = self.params["endpoint_url"]
        writer = MultipartWriter(
            s3_client(endpoint, self.params["region"]),
            target,
            self.params["part_size_mb"] * 1024 * 1024,
            endpoint,
        )
        try:
            for text in self._chunks(frame):
                writer.write(text.encode("utf-8"))
            writer.close()
        except BaseException:
            writer.abort()
            raise
