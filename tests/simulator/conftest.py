"""Fixtures of the simulator tests."""

import pytest
from sim_blackboxes import make_tabular


@pytest.fixture(scope="session")
def tabular():
    return make_tabular()
