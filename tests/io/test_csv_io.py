"""csv_loader, s3_csv_loader and csv_writer: wfe_io.csv_io (S3 through moto's server)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import wfe

FRAME = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "plan": ["basic", "pro", "basic"],
        "charges": [10.5, 99.0, 12.25],
        "signed": ["2024-01-05", "2023-11-30", "2024-02-29"],
    }
)


def flow(*tasks: str) -> str:
    return "workflow_name: csv_test\ntasks:\n" + "".join(f"  - {t}\n" for t in tasks)


def run(text: str, **vars: str) -> wfe.RunResult:
    result = wfe.loads(text, vars).run()
    result.raise_for_status()
    return result


def definition_error(text: str) -> wfe.DefinitionError:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml")
    return info.value


def test_csv_loader_reads_a_local_file_with_read_options(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    FRAME.to_csv(path, sep=";", index=False)
    result = run(
        flow(
            f"{{name: load, component_name: csv_loader, outputs: [df], params: {{path: '{path}', sep: ';',"
            " usecols: [id, charges, signed], dtype: {id: int64}, parse_dates: [signed], nrows: 2}}"
        )
    )
    frame = result.results["df"]
    assert list(frame.columns) == ["id", "charges", "signed"]
    assert len(frame) == 2
    assert str(frame["signed"].dtype).startswith("datetime64")
    assert frame["charges"].tolist() == [10.5, 99.0]


def test_csv_loader_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    [error] = (
        wfe.loads(
            flow(
                f"{{name: load, component_name: csv_loader, outputs: [df], params: {{path: '{missing}'}}}}"
            )
        )
        .run()
        .errors
    )
    assert f"no file {missing}" in str(error)
    assert "check the path" in str(error)


def test_csv_loader_reads_s3_uris_over_http(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="raw/customers.csv", Body=FRAME.to_csv(index=False).encode())
    result = run(
        flow(
            "{name: load, component_name: csv_loader, outputs: [df], params: {path: '${root}/customers.csv'}}"
        ),
        root=f"s3://{bucket}/raw",
    )
    pd.testing.assert_frame_equal(result.results["df"], FRAME)


def test_s3_csv_loader_reads_bucket_and_key(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="customers.csv", Body=FRAME.to_csv(index=False).encode())
    result = run(
        flow(
            f"{{name: load, component_name: s3_csv_loader, outputs: [df], params: {{bucket: {bucket}, key: customers.csv, usecols: [id, plan]}}}}"
        )
    )
    pd.testing.assert_frame_equal(result.results["df"], FRAME[["id", "plan"]])


def test_s3_errors_name_what_was_asked_and_what_to_do(
    s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing_key = wfe.loads(
        flow(
            f"{{name: load, component_name: s3_csv_loader, outputs: [df], params: {{bucket: {bucket}, key: nope.csv}}}}"
        )
    ).run()
    [error] = missing_key.errors
    assert (
        f"cannot read s3://{bucket}/nope.csv: no object with key 'nope.csv' in bucket '{bucket}'"
        in str(error)
    )
    missing_bucket = wfe.loads(
        flow(
            "{name: load, component_name: s3_csv_loader, outputs: [df], params: {bucket: no-such-bucket-here, key: a.csv}}"
        )
    ).run()
    assert "bucket 'no-such-bucket-here' does not exist" in str(missing_bucket.errors[0])
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    unreachable = wfe.loads(
        flow(
            f"{{name: load, component_name: csv_loader, outputs: [df], params: {{path: 's3://{bucket}/a.csv', endpoint_url: 'http://127.0.0.1:9'}}}}"
        )
    ).run()
    assert "the S3 endpoint http://127.0.0.1:9 is unreachable" in str(unreachable.errors[0])


def test_access_denied_is_translated() -> None:
    from botocore.exceptions import ClientError

    from wfe_io.locations import S3Object
    from wfe_io.s3 import S3Error, s3_errors

    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject"
    )
    with (
        pytest.raises(
            S3Error,
            match=r"cannot read s3://b/k: access denied \(AccessDenied\); check the credentials",
        ),
        s3_errors(S3Object("b", "k"), "read"),
    ):
        raise denied


def test_credentials_as_params_are_definition_errors() -> None:
    error = definition_error(
        flow(
            "{name: load, component_name: s3_csv_loader, outputs: [df], params: {bucket: b-1, key: k, aws_secret_access_key: abc}}"
        )
    )
    [problem] = error.problems
    assert problem.kind == "bad-param"
    assert "looks like a credential" in problem.message
    assert "AWS_PROFILE" in problem.message
    assert problem.location is not None
    assert problem.location.line == 3


@pytest.mark.parametrize("name", ["DB_PASS", "dbPassword", "api_key", "github_token"])
def test_more_credential_names_are_refused(name: str) -> None:
    error = definition_error(
        flow(
            f"{{name: load, component_name: csv_loader, outputs: [df], params: {{path: x.csv, {name}: abc}}}}"
        )
    )
    [problem] = error.problems
    assert problem.message.startswith(f"param '{name}' looks like a credential")


def test_a_database_url_given_as_a_path_is_refused_without_its_password() -> None:
    error = definition_error(
        flow(
            "{name: a, component_name: csv_loader, outputs: [df], params: {path: 'postgresql://etl:hunter2@db/warehouse'}}",
            "{name: b, component_name: csv_writer, inputs: {data: df}, params: {path: 'postgresql://etl@db/w?password=hunter2'}}",
        )
    )
    text = str(error)
    assert "'postgresql://etl:***@db/warehouse': unsupported scheme 'postgresql://'" in text
    assert "'postgresql://etl@db/w?password=***': unsupported scheme" in text
    assert "hunter2" not in text


def test_bad_locations_and_bucket_names_are_definition_errors() -> None:
    error = definition_error(
        flow(
            "{name: a, component_name: csv_loader, outputs: [df], params: {path: 'gs://bucket/x.csv'}}",
            "{name: b, component_name: s3_csv_loader, outputs: [df2], params: {bucket: 's3://my-bucket', key: k}}",
            "{name: c, component_name: csv_writer, inputs: {data: df}, params: {path: 's3://only-bucket'}}",
        )
    )
    text = str(error)
    assert "unsupported scheme 'gs://'" in text
    assert "'s3://my-bucket' is not a bucket name" in text
    assert "is not a full S3 location: write s3://BUCKET/KEY" in text


def writer_flow(path: str, extra: str = "") -> str:
    return flow(
        "{name: make, component_name: python_function, outputs: [df], params: {function: 'wfe_test_frames:frame', kwargs: {rows: 250}}}",
        f"{{name: save, component_name: csv_writer, inputs: {{data: df}}, params: {{path: '{path}'{extra}}}}}",
    )


def test_csv_writer_writes_a_local_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "frame.csv"
    run(writer_flow(str(target)))
    written = pd.read_csv(target)
    assert len(written) == 250
    assert list(written.columns) == ["id", "value", "name"]
    assert [p.name for p in target.parent.iterdir()] == ["frame.csv"]  # no temporary left


def test_interrupted_local_write_leaves_the_old_file_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wfe_io.csv_io import CsvWriter

    target = tmp_path / "frame.csv"
    target.write_text("old contents\n")
    chunks = CsvWriter._chunks

    def failing_chunks(self: CsvWriter, frame: Any) -> Any:
        for number, text in enumerate(chunks(self, frame)):
            if number == 2:
                raise OSError("disk full (injected)")
            yield text

    monkeypatch.setattr(CsvWriter, "rows_per_chunk", 50)
    monkeypatch.setattr(CsvWriter, "_chunks", failing_chunks)
    [error] = wfe.loads(writer_flow(str(target))).run().errors
    assert "disk full (injected)" in str(error)
    assert target.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_csv_writer_puts_small_objects_and_uploads_large_ones_in_parts(
    s3: Any, bucket: str
) -> None:
    run(writer_flow(f"s3://{bucket}/small.csv"))
    small = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key="small.csv")["Body"].read()))
    assert len(small) == 250
    big_flow = writer_flow(f"s3://{bucket}/big.csv", ", part_size_mb: 5").replace(
        "rows: 250", "rows: 400000"
    )
    run(big_flow)
    head = s3.head_object(Bucket=bucket, Key="big.csv", PartNumber=1)
    assert head["PartsCount"] >= 2  # really a multipart upload
    big = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key="big.csv")["Body"].read()))
    assert len(big) == 400_000
    assert big["name"].iloc[-1] == "n399999"


def test_failed_multipart_upload_is_aborted(
    s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wfe_io.s3 import MultipartWriter

    upload = MultipartWriter._upload_part

    def fail_second_part(self: MultipartWriter, data: bytes) -> None:
        if self._parts:
            raise ConnectionError("network dropped (injected)")
        upload(self, data)

    monkeypatch.setattr(MultipartWriter, "_upload_part", fail_second_part)
    big_flow = writer_flow(f"s3://{bucket}/big.csv", ", part_size_mb: 5").replace(
        "rows: 250", "rows: 400000"
    )
    [error] = wfe.loads(big_flow).run().errors
    assert "network dropped (injected)" in str(error)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
