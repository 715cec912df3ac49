"""The security linters stay clean, and every exception to them says which check and why."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run(
        [str(BIN / "bandit"), "-q", "-ll", "-f", "json", "-c", "pyproject.toml", "-r", "growth"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    findings = json.loads(result.stdout)["results"]
    assert not findings, [(f["test_id"], f["filename"], f["line_number"]) for f in findings]


def test_ruff_security_rules_pass():
    result = subprocess.run([str(BIN / "ruff"), "check", "--select", "S", "growth"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_every_exception_names_its_check_and_gives_a_reason():
    """`# nosec` and `# noqa: S…` name the check they silence, with a reason on the line or
    in a comment just above it."""
    unexplained = []
    for path in sorted((ROOT / "growth").rglob("*.py")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            for marker in re.finditer(r"#\s*(nosec|noqa)\b(.*)", line):
                kind, rest = marker.groups()
                if kind == "noqa" and not re.match(r":\s*S\d", rest):
                    continue
                names_check = re.match(r":?\s*[BS]\d{3}", rest)
                reason = re.sub(r"[:\s,]*[BS]\d{3}", "", rest).strip(" -#()")
                before = line[:marker.start()]
                above = lines[number - 2].strip() if number > 1 else ""
                has_reason = (len(reason) >= 8 or "#" in before.split('"""')[-1]
                              or above.startswith("#"))
                if not (names_check and has_reason):
                    unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "\n".join(unexplained)
