"""Every features/*.feature scenario, once per backend."""

import pytest
from pytest_bdd import scenarios

pytestmark = pytest.mark.usefixtures("backend_kind")

scenarios("../features")
