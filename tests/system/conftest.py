"""The supervision tests' plan (`work`), reused by the backup tests for rows of many kinds."""

from tests.supervision.conftest import work  # noqa: F401
