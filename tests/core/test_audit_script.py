"""scripts/audit-dependencies: fails on known vulnerabilities, and passes saying so plainly when
the advisory service cannot be reached (CI on a machine that reaches only package registries)."""

import importlib.machinery
import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit-dependencies"


def load_script():
    loader = importlib.machinery.SourceFileLoader("audit_dependencies", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


audit = load_script()


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_service_is_skipped_in_one_plain_line_and_passes(tmp_path):
    # Every request goes through a proxy that is not there: the service cannot be reached.
    proxy = f"http://127.0.0.1:{closed_port()}"
    environment = {
        **os.environ,
        "HTTPS_PROXY": proxy,
        "https_proxy": proxy,
        "NO_PROXY": "",
        "no_proxy": "",
        # pip-audit's own cache of earlier answers must not stand in for the service.
        "XDG_CACHE_HOME": str(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("dependency audit skipped: advisory service unreachable (")


def not_found(name: str, version: str) -> dict[str, str]:
    """pip-audit's entry for a package the advisory service does not know."""
    reason = f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    return {"name": name, "skip_reason": reason}


def pip_audit_json(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_known_vulnerabilities_fail_with_the_list():
    vulnerability = {
        "id": "PYSEC-2023-61",
        "fix_versions": ["3.2.19", "4.1.9", "4.2.1"],
        "aliases": ["CVE-2023-31047"],
        "description": "Multiple file upload bypass.",
    }
    report = pip_audit_json(
        {"name": "django", "version": "4.2.0", "vulns": [vulnerability]},
        {"name": "nh3", "version": "0.2.17", "vulns": []},
        not_found("santacare", "0.1.0"),
    )

    code, message = audit.verdict(1, report, "Found 1 known vulnerability in 1 package")

    assert code == 1
    assert message.splitlines() == [
        "dependency audit found known vulnerabilities:",
        "django 4.2.0: PYSEC-2023-61 (fixed in 3.2.19, 4.1.9, 4.2.1)",
    ]


def test_a_service_that_knows_none_of_the_packages_is_no_audit():
    """A registry mirror answers 404 for every package: pip-audit says "No known
    vulnerabilities found", but nothing was checked."""
    report = pip_audit_json(not_found("django", "5.2.9"), not_found("nh3", "0.3.0"))

    code, message = audit.verdict(0, report, "No known vulnerabilities found")

    assert code == 0
    assert message == (
        "dependency audit skipped: advisory service unreachable "
        "(it answered for none of the 2 installed packages)"
    )


def test_a_clean_audit_says_how_many_were_checked():
    report = pip_audit_json(
        {"name": "django", "version": "5.2.9", "vulns": []},
        {"name": "nh3", "version": "0.3.0", "vulns": []},
        not_found("private-lib", "1.0"),
    )

    code, message = audit.verdict(0, report, "No known vulnerabilities found")

    assert code == 0
    assert message == (
        "dependency audit: 2 packages checked, no known vulnerabilities; "
        "unknown to the advisory service: private-lib"
    )


def test_any_other_failure_of_pip_audit_fails_the_audit():
    code, message = audit.verdict(1, "", "pip-audit: error: invalid requirement in setup.cfg")

    assert code == 2
    assert message == "dependency audit failed: pip-audit: error: invalid requirement in setup.cfg"
