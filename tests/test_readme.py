"""The README's two commands are the real entry points: CI calls one, and the other serves the demo."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, free_port

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


def test_ci_adds_nothing_to_the_readme_test_command_but_its_own_environment():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]

    assert commands == [
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        "export UV_PYTHON_DOWNLOADS=never",
        "export RUNWAY_NO_SKIPS=1",
        readme_commands()[1],
    ], "whatever CI does beyond the README's command is a set-up step a user would miss"


class Demo:
    """``python3 scripts/demo.py`` as the README runs it, on a free port and a demo folder of the test's."""

    def __init__(self, folder: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"))}
        env.update(RUNWAY_DEMO_PORT=str(port), RUNWAY_DEMO_DIR=str(folder))
        self.base = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            readme_commands()[0],
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def read_until(self, text: str) -> str:
        """The output up to the first line holding text (the demo's own pace: a busy machine is slow)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if text in line:
                return "".join(self.lines)
        pytest.fail(f"the demo exited with {self.process.wait()} before printing {text!r}:\n{''.join(self.lines)}")

    def stop(self) -> str:
        os.killpg(self.process.pid, signal.SIGTERM)
        rest, _ = self.process.communicate(timeout=30)
        return "".join(self.lines) + rest


def sign_in(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    """A browser-like client signed in through the sign-in form (CSRF cookie and token included)."""
    jar = http.cookiejar.CookieJar()
    client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = client.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the sign-in page has a CSRF token"
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "login": email, "password": password})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    client.open(request, timeout=30)
    assert any(cookie.name == "sessionid" for cookie in jar), "signed in: a session cookie was set"
    return client


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_the_demo_command_serves_the_home_page_and_readyz_with_zero_services(tmp_path):
    demo = Demo(tmp_path / "demo", free_port())
    try:
        demo.read_until("serving http://127.0.0.1")
        # No retry: "serving" is printed only once the server answers.
        home = urllib.request.urlopen(f"{demo.base}/", timeout=30)
        assert home.status == 200
        assert b"Acme Cloud" in home.read()
        ready = urllib.request.urlopen(f"{demo.base}/readyz", timeout=30)
        assert ready.status == 200
        assert b'"status": "ok"' in ready.read()
    finally:
        demo.stop()


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_the_demo_signs_in_to_seeded_data_and_keeps_it_between_runs(tmp_path):
    port = free_port()
    first = Demo(tmp_path / "demo", port)
    try:
        output = first.read_until("serving http://127.0.0.1")
        found = re.search(r"Sign in as (\S+) with the password (\S+)", output)
        assert found, f"the demo says how to sign in:\n{output}"
        email, password = found.groups()
        assert "5 sample projects added" in output
        organizations = sign_in(first.base, email, password).open(f"{first.base}/orgs/", timeout=30).read()
        assert b"Demo organization" in organizations
    finally:
        first.stop()
    database = tmp_path / "demo" / "acme_cloud" / "db.sqlite3"
    with sqlite3.connect(database) as connection:  # what a founder does in the first run, done by hand
        connection.execute("UPDATE organizations_organization SET name = 'Renamed in the first run'")
    connection.close()

    second = Demo(tmp_path / "demo", port)
    try:
        output = second.read_until("serving http://127.0.0.1")
        assert "keeping the demo's data from the last run" in output
        assert "0 sample projects added, 5 already there" in output
        organizations = sign_in(second.base, email, password).open(f"{second.base}/orgs/", timeout=30).read()
        assert b"Renamed in the first run" in organizations
        assert b"Demo organization" not in organizations
    finally:
        second.stop()


def test_the_demo_refuses_a_port_in_use_before_generating_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "RUNWAY_DEMO_PORT": str(port), "RUNWAY_DEMO_DIR": str(tmp_path / "demo")}
        result = subprocess.run(
            [sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert not (tmp_path / "demo").exists(), "nothing is generated when the port is taken"
