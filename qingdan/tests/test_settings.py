"""Start-up refuses bad settings with a clear message; production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "Zq8#Vx2!Lm5$Nb7&Hc3*Pw9(Ty4)Gf6"
KEYS = {"QINGDAN_DATA_KEYS": "p1:" + "A" * 43 + "=", "QINGDAN_LOOKUP_KEY": "B" * 43 + "="}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("QINGDAN_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QINGDAN_DEBUG": "true", "QINGDAN_SECRET_KEY": ""}, None),
        ({"QINGDAN_DEBUG": "maybe"}, "QINGDAN_DEBUG='maybe' is not valid"),
        ({"QINGDAN_DEBUG": "false"}, "QINGDAN_SECRET_KEY is not set"),
        ({"QINGDAN_DEBUG": "false", "QINGDAN_SECRET_KEY": GOOD_SECRET}, "QINGDAN_DATA_KEYS and QINGDAN_LOOKUP_KEY"),
        (
            {"QINGDAN_DEBUG": "false", "QINGDAN_SECRET_KEY": GOOD_SECRET, **KEYS},
            "QINGDAN_ALLOWED_HOSTS is not set",
        ),
        (
            {"QINGDAN_DEBUG": "true", "QINGDAN_TIME_ZONE": "Mars/Olympus"},
            "QINGDAN_TIME_ZONE='Mars/Olympus' is not valid",
        ),
        (
            {"QINGDAN_DEBUG": "true", "QINGDAN_DATABASE_URL": "mysql://x@y/z"},
            "QINGDAN_DATABASE_URL='mysql://x@y/z' is not valid",
        ),
        ({"QINGDAN_DEBUG": "true", "QINGDAN_IDLE_MINUTES": "half"}, "QINGDAN_IDLE_MINUTES='half' is not valid"),
    ],
)
def test_start_up_checks_the_environment(env, message, tmp_path):
    env.setdefault("QINGDAN_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = manage("check", **env)
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0 and message in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        QINGDAN_DEBUG="false",
        QINGDAN_SECRET_KEY=GOOD_SECRET,
        **KEYS,
        QINGDAN_ALLOWED_HOSTS="qingdan.example.org",
        QINGDAN_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_time_zone_defaults_to_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans"
