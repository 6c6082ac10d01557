import socket
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "audit-dependencies"


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_the_dependency_audit_skips_with_a_reason_when_no_vulnerability_service_answers():
    result = subprocess.run(
        [str(SCRIPT)],
        env={"AUDIT_PYPI_PROBE_URL": refused_url(), "AUDIT_OSV_PROBE_URL": refused_url()},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("SKIPPED: dependency audit (pip-audit)")
    assert "unreachable" in result.stdout
