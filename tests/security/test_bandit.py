"""bandit, the static security linter, over src/: no findings, with the exceptions (and why) written in
pyproject.toml's [tool.bandit] section next to its configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "shouhu"


def test_bandit_finds_nothing_in_src():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", "src", "-q", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]
    ]

    assert not findings, "bandit findings:\n" + "\n".join(findings)
    assert not report["errors"], report["errors"]
    # A `# nosec` mark that bandit cannot read (a reason taken for a test id, a mark on no finding)
    # is a warning on stderr: `make lint` stays silent when all is well.
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert not warnings, "bandit warnings:\n" + "\n".join(warnings)
    assert report["metrics"]["_totals"]["loc"] > 1000  # it did read the sources


def test_pseudo_random_numbers_serve_only_the_demo():
    """B311 is skipped because `random` serves only the seeded synthetic demo: keep it there."""
    users = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"^\s*(import random\b|from random import)", path.read_text(encoding="utf-8"), re.M)
    )

    assert [p for p in users if not p.startswith("demo/")] == []
