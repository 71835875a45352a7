"""The README's two commands are the real entry points: CI calls one, and the other serves the demo."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import pytest
from conftest import ROOT, free_port, wait_for

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert first_block, "the README opens with a bash block"
    return [line for line in first_block.group(1).splitlines() if line.strip()]


def test_the_readme_starts_with_exactly_two_commands():
    assert readme_commands() == ["python3 scripts/demo.py", "python3 scripts/test.py"]
    assert README.index("```bash") < README.index("##"), "the commands come before any section"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = readme_commands()[1]

    assert any(line.strip() == test_command for line in ci.splitlines())


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_the_demo_command_serves_the_home_page_and_readyz_with_zero_services(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"))}
    env.update(RUNWAY_DEMO_PORT=str(port), RUNWAY_DEMO_DIR=str(tmp_path / "demo"))
    demo = subprocess.Popen(
        readme_commands()[0],
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", timeout=240, process=demo)
        assert home.status == 200
        assert b"Acme Cloud" in home.read()
        ready = wait_for(f"http://127.0.0.1:{port}/readyz")
        assert ready.status == 200
        assert b'"status": "ok"' in ready.read()
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        output, _ = demo.communicate(timeout=30)
    assert "serving http://127.0.0.1" in output
