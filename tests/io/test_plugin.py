"""components-io is a real distribution whose plugin wfe discovers by entry point."""

from __future__ import annotations

from plugin_contract import check_components, check_entry_point


def test_entry_point_is_declared_and_discovered() -> None:
    check_entry_point("components-io", "wfe_io")


def test_every_component_is_registered_lazily_and_importable() -> None:
    check_components(
        "components-io",
        "wfe_io",
        {"csv_loader", "s3_csv_loader", "csv_writer", "sql_query", "database_writer"},
    )
