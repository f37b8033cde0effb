"""engine-core's version: the one place it is written (pyproject.toml reads it from here,
and ``wfe --version`` prints it without reading any installed metadata)."""

__version__ = "0.1.0"
