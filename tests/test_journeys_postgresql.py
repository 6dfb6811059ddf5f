"""The journey store's tests on PostgreSQL: every test in tests/test_journeys.py that takes `store_url` runs here
again, each against a fresh, empty database of its own on the server CLAIMTRIAGE_TEST_PG_URL names (conftest
`pg_url`: created for the test, dropped after it; nothing else on that server is touched). Skipped without a server;
`make test` starts one (tests/services.sh)."""

from __future__ import annotations

import inspect

import pytest

import test_journeys

pytestmark = pytest.mark.service


@pytest.fixture()
def store_url(pg_url):
    return pg_url


# the same test functions, collected in this module, where `store_url` is the PostgreSQL one above
for _name, _test in list(vars(test_journeys).items()):
    if _name.startswith("test_") and inspect.isfunction(_test) and "store_url" in inspect.signature(_test).parameters:
        globals()[_name] = _test
