"""pytest configuration shared by the project's tests: the `slow` marker (otter runs of a built bundle)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs `otter run` on a built bundle (minutes); deselect with -m 'not slow'")
