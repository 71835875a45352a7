"""Generate a project with the default answers and serve it with zero services, signed in to sample data.

    python3 scripts/demo.py [--port 8000] [--fresh]

Checks the port first, then bakes the template into .runway/demo/ (the code is made
anew on every run, so it always shows this checkout), installs it from its uv.lock,
migrates its SQLite database, seeds a demo account, an organization and sample data
(``manage.py seed_demo``, which prints how to sign in) and runs Django's development
server. The database is kept between runs: what you add stays; ``--fresh`` starts over.
Mail, such as invitations, prints in this terminal. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _bootstrap import BIN, ROOT, STATE, fail, find_uv, say, sync_tools, tool_environment
from _preflight import require_free_port

DEMO = Path(os.environ.get("RUNWAY_DEMO_DIR", STATE / "demo"))
SLUG = "acme_cloud"
KEPT = ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")  # the data; everything else is made anew
READY_SECONDS = 120


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("RUNWAY_DEMO_PORT", "8000")))
    parser.add_argument("--fresh", action="store_true", help="delete the demo's data and start over")
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, got {args.port}")
    return args


def bake_keeping_data(tools: Path, env: dict[str, str], fresh: bool) -> Path:
    """Generate the project anew into DEMO, keeping the last run's database (unless ``fresh``) and its venv."""
    project = DEMO / SLUG
    if fresh:
        shutil.rmtree(project, ignore_errors=True)
        say("--fresh: the last run's data is deleted")
    elif (project / KEPT[0]).exists():
        say(f"keeping the demo's data from the last run ({project / KEPT[0]}); --fresh starts over")
    say(f"generating the default project into {DEMO}")
    DEMO.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DEMO) as new:
        # Baked beside the old copy first: a failure here leaves the last run's data where it was.
        subprocess.run([str(tools / "cookiecutter"), "--no-input", "-o", new, str(ROOT)], env=env, check=True)
        project.mkdir(exist_ok=True)
        for old in project.iterdir():
            if old.name in KEPT or old.name == ".venv":  # uv sync --frozen makes the venv exact again
                continue
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
        for made in (Path(new) / SLUG).iterdir():
            shutil.move(str(made), project / made.name)
    return project


def prepare(project: Path, uv: str, env: dict[str, str]) -> str:
    """Install, migrate and seed the project; return its Python."""
    say("installing it from its uv.lock")
    subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=project, env=env, check=True)
    python = str(project / ".venv" / BIN / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=project, env=env, check=True)
    say("seeding a demo account, an organization and sample data (manage.py seed_demo)")
    subprocess.run([python, "manage.py", "seed_demo"], cwd=project, env=env, check=True)
    return python


def wait_until_answering(url: str, server: subprocess.Popen[bytes]) -> None:
    """Return once the server answers url (any HTTP status); fail if it exits or stays silent."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"the server exited with {server.returncode} before answering (its output is above)")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    server.terminate()
    fail(f"the server did not answer {url} within {READY_SECONDS} s")


def serve(project: Path, python: str, port: int, env: dict[str, str]) -> int:
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([python, "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=project, env=env)
    try:
        wait_until_answering(f"{base}/readyz", server)
        say(f"serving {base}/ (readiness: {base}/readyz). Ctrl-C to stop.")
        say(f"sign in at {base}/accounts/login/ with the demo account above; mail prints in this terminal")
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


def main() -> int:
    args = arguments()
    # What it needs besides Python: uv (installed if missing) and a free port; no service, and no git.
    require_free_port(args.port)

    uv = find_uv()
    env = tool_environment()
    tools = sync_tools(uv, env)
    project = bake_keeping_data(tools, env, args.fresh)

    # The generated project runs with zero services: no DATABASE_URL or REDIS_URL.
    run_env = {k: v for k, v in env.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    run_env.pop("VIRTUAL_ENV", None)
    run_env["DJANGO_DEV_TOOLS"] = "false"  # the pages as users see them: no debug toolbar
    python = prepare(project, uv, run_env)
    return serve(project, python, args.port, run_env)


if __name__ == "__main__":
    sys.exit(main())
