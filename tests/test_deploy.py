"""deploy/: the systemd service and timer pair pass `systemd-analyze verify` (skipped where
systemd is missing) and the crontab line runs `growth remind` once a day."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = ("growth-remind.service", "growth-remind.timer")


def _units(tmp_path) -> list[str]:
    """The unit files, with ExecStart aimed at this environment's `growth` (verify checks
    that the command exists)."""
    growth = Path(sys.executable).parent / "growth"
    paths = []
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/opt/growth/venv/bin/growth", str(growth))
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    return paths


def test_the_service_and_timer_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    result = subprocess.run([analyze, "verify", "--man=no", *_units(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    calendar = re.search(r"^OnCalendar=(.+)$", (DEPLOY / UNITS[1]).read_text(), re.M)[1]
    checked = subprocess.run([analyze, "calendar", calendar], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_the_units_run_growth_remind_once_a_day():
    service = (DEPLOY / UNITS[0]).read_text()
    timer = (DEPLOY / UNITS[1]).read_text()
    assert re.search(r"^ExecStart=\S+/growth remind$", service, re.M)
    assert "Type=oneshot" in service and "EnvironmentFile=" in service
    assert "Persistent=true" in timer and "WantedBy=timers.target" in timer


def test_the_crontab_line():
    lines = [line for line in (DEPLOY / "growth-remind.cron").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    minute, hour, day, month, weekday, command = lines[0].split(None, 5)
    assert (day, month, weekday) == ("*", "*", "*")
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24
    assert "growth remind" in command
