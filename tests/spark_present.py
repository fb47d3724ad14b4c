"""The Spark tests' precondition: PySpark (``pip install 'borderlink[spark]'``) and Java.

Without them a Spark test skips, unless ``BORDERLINK_REQUIRE_SERVICES=1`` (``.ci/run``
installs the extra), where it fails.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from borderlink.settings import Settings


def require_spark(what: str = "the Spark engine") -> None:
    missing = [
        name
        for name, present in (
            ("PySpark", importlib.util.find_spec("pyspark") is not None),
            ("Java", shutil.which("java") is not None),
        )
        if not present
    ]
    if missing:
        message = f"{what} needs {' and '.join(missing)}"
        if Settings().require_services:
            pytest.fail(message + " (BORDERLINK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
