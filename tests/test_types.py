"""mypy with django-stubs over src/shouhu: no errors, with the configuration (which modules are strict,
which are not yet checked) in pyproject.toml's [tool.mypy] sections."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_ALL

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_errors():
    if importlib.util.find_spec("mypy") is None or importlib.util.find_spec("mypy_django_plugin") is None:
        reason = "needs mypy and django-stubs (requirements/dev.txt)"
        if REQUIRE_ALL:
            pytest.fail(f"SHOUHU_REQUIRE_ALL is set but this test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    # The django-stubs plugin loads tests.settings, which sets a development key and a field key.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "source files" in result.stdout  # it did read the sources
