"""Helpers of the browser tests that are not fixtures."""

import os

import pytest


def unavailable(message: str):
    """Under CI a missing browser or library fails; elsewhere the test is skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
