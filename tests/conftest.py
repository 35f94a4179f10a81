"""Shared pytest configuration: the ``slow`` marker (tests that run ``otter run`` more than twice)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs otter run more than twice (tens of seconds); deselect with -m 'not slow'")
