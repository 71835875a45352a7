"""Generate a project with the default answers and serve it with zero services.

    python3 scripts/demo.py [--port 8000]

Bakes the template into .runway/demo/ (replaced on every run: it is a throwaway
copy; generate your own project with cookiecutter), installs it from its uv.lock,
migrates its SQLite database and runs Django's development server. Sign up on the
page and the verification email prints in this terminal. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from _bootstrap import BIN, ROOT, STATE, find_uv, say, sync_tools, tool_environment

DEMO = Path(os.environ.get("RUNWAY_DEMO_DIR", STATE / "demo"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("RUNWAY_DEMO_PORT", "8000")))
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, got {args.port}")

    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)

    say(f"generating the default project into {DEMO}")
    shutil.rmtree(DEMO, ignore_errors=True)
    subprocess.run([str(tools / "cookiecutter"), "--no-input", "-o", str(DEMO), str(ROOT)], env=env, check=True)
    project = DEMO / "acme_cloud"

    # The generated project runs with zero services: no DATABASE_URL or REDIS_URL.
    run_env = {k: v for k, v in env.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    run_env.pop("VIRTUAL_ENV", None)
    say("installing it from its uv.lock")
    subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=project, env=run_env, check=True)
    python = str(project / ".venv" / BIN / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=project, env=run_env, check=True)

    say(f"serving http://127.0.0.1:{args.port}/ (readiness: /readyz). Ctrl-C to stop.")
    server = [python, "manage.py", "runserver", f"127.0.0.1:{args.port}"]
    if os.name == "nt":
        return subprocess.call(server, cwd=project, env=run_env)
    os.chdir(project)
    os.execve(python, server, run_env)


if __name__ == "__main__":
    sys.exit(main())
