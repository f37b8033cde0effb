"""wfe_io: I/O components: CSV and S3 loaders and writers, SQL queries, an atomic database writer for wfe.

The engine finds these components through the ``wfe.plugins`` entry point declared
in this distribution's pyproject.toml (see :mod:`wfe_io.plugin`); it never imports
this package by name.
"""
