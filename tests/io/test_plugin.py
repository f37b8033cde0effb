"""components-io keeps the plugin contract that wfe.testing checks for every distribution."""

from __future__ import annotations

from wfe.testing import check_distribution


def test_components_io_keeps_the_plugin_contract() -> None:
    report = check_distribution("components-io")
    assert report.plugins == ("wfe_io",)
    assert set(report.components) == {
        "csv_loader",
        "s3_csv_loader",
        "csv_writer",
        "sql_query",
        "database_writer",
    }
    assert report.executors == ()
