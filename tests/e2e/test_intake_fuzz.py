"""Schemathesis against intake's own OpenAPI document: no 5xx, no answer outside its schema."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.test_integrators import _key
from harness.infra import ROOT
from harness.stack import Stack

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_schemathesis_finds_no_server_error_or_schema_violation_in_intake(make_stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_SMS_CALLBACK_TOKEN="fuzz-token")
    key = _key(stack, "banjarmasin-app", "63", rate=100_000)
    report = tmp_path / "schemathesis.xml"
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{stack['intake'].url}/openapi.json",
         "--checks", CHECKS, "--max-examples", "25", "--phases", "examples,fuzzing", "--seed", "1708",
         "-H", f"X-Api-Key: {key['api_key']}", "--request-timeout", "20", "--suppress-health-check", "all",
         "--report", "junit", "--report-junit-path", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    tail = (run.stdout + run.stderr)[-6000:]
    assert run.returncode == 0, tail
    xml = report.read_text()
    assert "<testcase" in xml and "<failure" not in xml, tail     # it really ran operations, and none failed
    assert stack["intake"].proc.poll() is None                    # and the service is still up
