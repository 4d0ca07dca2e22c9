"""The field key comes from the environment; the demo makes one once in var/ and keeps it."""

import os
import subprocess
import sys

PRINT_KEY = (
    "from django.conf import settings; import django; django.setup(); print(settings.SHOUHU_FIELD_KEY)"
)


def settings_in(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SHOUHU_FIELD_KEY", "SHOUHU_INSECURE_DEV_KEY")}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PRINT_KEY],
        env={**clean, "DJANGO_SETTINGS_MODULE": "shouhu.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_key_the_process_refuses_to_start(tmp_path):
    result = settings_in({"SHOUHU_VAR": str(tmp_path)})

    assert result.returncode != 0
    assert "SHOUHU_FIELD_KEY is not set" in result.stderr


def test_a_malformed_key_refuses_to_start(tmp_path):
    result = settings_in({"SHOUHU_VAR": str(tmp_path), "SHOUHU_FIELD_KEY": "short"})

    assert result.returncode != 0
    assert "32 bytes" in result.stderr


def test_the_demo_makes_a_key_once_and_reuses_it(tmp_path):
    first = settings_in({"SHOUHU_VAR": str(tmp_path), "SHOUHU_INSECURE_DEV_KEY": "true"})
    second = settings_in({"SHOUHU_VAR": str(tmp_path), "SHOUHU_INSECURE_DEV_KEY": "true"})

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == second.stdout.strip() != ""
    key_file = tmp_path / "field.key"
    assert key_file.read_text().strip() == first.stdout.strip()
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
