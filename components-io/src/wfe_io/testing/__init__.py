"""Real services for testing components that use S3 and databases.

- :mod:`wfe_io.testing.s3`: moto's S3 server on 127.0.0.1, with fake credentials
  (moto comes with the extra ``components-io[testing]``);
- :mod:`wfe_io.testing.postgres`: a throwaway PostgreSQL cluster on 127.0.0.1;
- :mod:`wfe_io.testing.pytest_plugin`: pytest fixtures over both, loaded wherever
  components-io is installed (entry point ``pytest11: wfe_io``).

Nothing here imports moto, boto3, SQLAlchemy or pandas until a service is started.
"""
