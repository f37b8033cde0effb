"""``sql_query``: run a query with bound parameters and return the rows as a DataFrame."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wfe import Component, Param
from wfe.masking import mask_text
from wfe_io.credentials import secret_params
from wfe_io.database import (
    DatabaseError,
    create_engine,
    driver_message,
    resolve_url,
    url_param_problems,
)
from wfe_io.states import database_locations

__all__ = ["SqlQuery"]


class SqlQuery(Component):
    """Run a SQL query and return its rows as a DataFrame.

    Write parameters as ``:name`` in the query and give their values in
    ``parameters``: they are bound by the driver, never formatted into the SQL text.
    ``url`` defaults to ``$WFE_DATABASE_URL``, else ``sqlite:///wfe.db``.
    """

    params_schema = {
        "query": Param(str, doc="the SQL, with :name placeholders"),
        "parameters": Param(dict, default=None, doc="values for the placeholders"),
        "url": Param(
            str, default=None, doc="SQLAlchemy URL (default: $WFE_DATABASE_URL or sqlite:///wfe.db)"
        ),
    }
    inputs_schema = {}
    outputs_schema = {"frame": "the query's rows as a pandas DataFrame"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from secret_params(params, cls.params_schema)
        if isinstance(params.get("query"), str) and not params["query"].strip():
            yield "query", "the query is empty"
        yield from url_param_problems(params)

    @classmethod
    def read_locations(cls, params: Mapping[str, Any], literals: Mapping[str, str]) -> list[str]:
        """A SQLite file; a database server's URL, whose state wfe cannot see."""
        return database_locations(params["url"])

    def run(self) -> Any:
        import pandas as pd
        import sqlalchemy

        url = resolve_url(self.params["url"])
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                return pd.read_sql_query(
                    sqlalchemy.text(self.params["query"]),
                    connection,
                    params=self.params["parameters"],
                )
        except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
            raise DatabaseError(f"query on {mask_text(url)} failed: {driver_message(exc)}") from exc
        finally:
            engine.dispose()
