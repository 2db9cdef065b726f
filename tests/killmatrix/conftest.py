"""The kill matrix is the longest project test: start it first.

Under ``pytest -n 2`` the tests are dealt out in collection order, so a long test collected
late starts late and the whole run waits for it. Moving the slow kill-matrix test to the front
lets it run while the other worker works through the rest.
"""

from __future__ import annotations

import pytest

_HERE = "tests/killmatrix/"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = [i for i in items if i.nodeid.startswith(_HERE) and i.get_closest_marker("slow")]
    if first:
        items[:] = first + [i for i in items if i not in first]
