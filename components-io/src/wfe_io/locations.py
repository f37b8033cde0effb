"""Where data lives: a local path or an ``s3://bucket/key`` URI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wfe.masking import mask_text

__all__ = ["S3Object", "location_problem", "parse_location"]


@dataclass(frozen=True, slots=True)
class S3Object:
    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_location(location: str) -> S3Object | Path:
    """``s3://bucket/key`` -> :class:`S3Object`; ``file:///x`` or a plain path -> ``Path``.

    Messages quote the location masked: a database URL given by mistake must not
    show its password."""
    if location.startswith("s3://"):
        bucket, _, key = location[len("s3://") :].partition("/")
        if not bucket or not key:
            raise ValueError(
                f"'{mask_text(location)}' is not a full S3 location: write s3://BUCKET/KEY"
            )
        return S3Object(bucket, key)
    if location.startswith("file://"):
        return Path(location[len("file://") :])
    if "://" in location:
        scheme = location.split("://", 1)[0]
        raise ValueError(
            f"'{mask_text(location)}': unsupported scheme '{scheme}://' (use a path or s3://)"
        )
    return Path(location)


def location_problem(location: str) -> str | None:
    """Why ``location`` cannot be read or written, or ``None`` (for validate time)."""
    try:
        parse_location(location)
    except ValueError as exc:
        return str(exc)
    return None
