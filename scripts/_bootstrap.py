"""Find a Python 3.12+ and uv without downloading a Python, and set up the template's tools.

Standard library only, and runs on any Python 3.8+, so the README's commands work on
a fresh machine that has nothing but Python and git. Where no Python 3.12+ is installed
and UV_PYTHON_DOWNLOADS allows it, uv downloads one (a laptop); CI sets
UV_PYTHON_DOWNLOADS=never and relies on an installed interpreter.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".runway"  # git-ignored: bootstrap venv, demo project
BIN = "Scripts" if os.name == "nt" else "bin"
MINIMUM = (3, 12)
UV_REQUIREMENT = "uv>=0.9,<1"
# Two checkouts (or worktrees) on one machine must not share benchmark databases.
CHECKOUT = hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]


def say(message: str) -> None:
    print(f"runway: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    say(f"error: {message}")
    sys.exit(1)


def count_argument(default: int, what: str) -> int:
    """The script's one optional argument, a count above zero; a clear error otherwise."""
    if len(sys.argv) > 2:
        fail(f"expected at most one argument, the number of {what}; got {' '.join(sys.argv[1:])}")
    if len(sys.argv) == 1:
        return default
    try:
        count = int(sys.argv[1])
    except ValueError:
        count = 0
    if count <= 0:
        fail(f"the number of {what} must be a whole number above zero, got {sys.argv[1]!r}")
    return count


def _version(python: str) -> tuple | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(part) for part in out.strip().split("."))


def _pyenv_roots() -> list[Path]:
    """Where pyenv keeps its Pythons: PYENV_ROOT, what ``pyenv root`` says, and where the pyenv command and its
    shims live (``pyenv root`` defaults to ~/.pyenv, which says nothing when HOME is another folder)."""
    roots = [os.environ.get("PYENV_ROOT", "")]
    pyenv = shutil.which("pyenv")
    if pyenv and not roots[0]:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            roots.append(subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=20).stdout.strip())
        roots.append(str(Path(pyenv).resolve().parents[1]))  # <root>/bin/pyenv -> <root>/libexec/pyenv
    path = os.environ.get("PATH", "").split(os.pathsep)
    roots += [str(Path(folder).parent) for folder in path if folder.endswith("shims")]
    return [Path(root) for root in dict.fromkeys(roots) if root and (Path(root) / "versions").is_dir()]


def _pyenv_pythons() -> list[str]:
    found = []
    for root in _pyenv_roots():
        for folder in sorted((root / "versions").glob("3.1[2-9]*")):
            python = folder / BIN / "python3"
            if python.exists():
                found.append(str(python))
    return found


def find_python() -> str | None:
    """An installed Python 3.12+, preferring 3.12 (the version CI pins), or None."""
    if os.environ.get("UV_PYTHON"):
        return os.environ["UV_PYTHON"]
    candidates = [shutil.which(name) for name in ("python3.12", "python3.13", "python3.14")]
    candidates += _pyenv_pythons()
    candidates.append(sys.executable)
    for python in candidates:
        if python and (_version(python) or (0,)) >= MINIMUM:
            return python
    return None


def find_uv() -> str:
    """uv from PATH, else installed with pip into .runway/bootstrap (one small wheel)."""
    uv = shutil.which("uv")
    if uv:
        return uv
    venv = STATE / "bootstrap"
    uv = venv / BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not uv.exists():
        say("installing uv into .runway/bootstrap (first run only)")
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            fail(
                f"uv is not installed, and {sys.executable} cannot make a virtual environment to install it in:\n"
                f"{made.stderr.strip()}\n"
                "Install uv (https://docs.astral.sh/uv/), or let this command install it, then run it again:\n"
                "  Debian/Ubuntu:  sudo apt-get install python3-venv   (or: pipx install uv)\n"
                "  macOS:          brew install uv"
            )
        pip = [str(venv / BIN / "python"), "-m", "pip", "install", "--quiet", UV_REQUIREMENT]
        if subprocess.run(pip).returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            fail(f"pip could not install {UV_REQUIREMENT} (above); install uv yourself: https://docs.astral.sh/uv/")
    return str(uv)


def tool_environment() -> dict[str, str]:
    """Environment for uv and the tools: the chosen interpreter, the tools' venv on PATH."""
    env = dict(os.environ)
    python = find_python()
    if python:
        env["UV_PYTHON"] = python
    elif env.get("UV_PYTHON_DOWNLOADS") == "never":
        fail("no Python 3.12+ found and UV_PYTHON_DOWNLOADS=never; install one or set UV_PYTHON")
    else:
        say("no Python 3.12+ found: uv will download one")
    env["PATH"] = os.pathsep.join([str(ROOT / ".venv" / BIN), env.get("PATH", "")])
    return env


def sync_tools(uv: str, env: dict[str, str]) -> Path:
    """Install the template's tools (cookiecutter, pytest, ruff, uv) from uv.lock into .venv."""
    subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=ROOT, env=env, check=True)
    return ROOT / ".venv" / BIN


def bake_default(
    output: str, env: dict[str, str], uv: str, tools: Path, *sync_args: str, template: Path = ROOT
) -> Path:
    """Generate the default project into output from ``template`` (this checkout) and install it from its lock."""
    subprocess.run([str(tools / "cookiecutter"), "--no-input", "-o", output, str(template)], env=env, check=True)
    project = Path(output) / "acme_cloud"
    subprocess.run([uv, "sync", "--frozen", "--quiet", *sync_args], cwd=project, env=env, check=True)
    return project


def migrate_new_database(project: Path, env: dict[str, str], database: str) -> None:
    """Create ``database`` on the local Postgres unless it exists, and migrate the baked project into it."""
    create = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {database}"]
    subprocess.run(create, capture_output=True, check=False)
    migrate = [str(project / ".venv" / BIN / "python"), "manage.py", "migrate", "--noinput"]
    subprocess.run(migrate, cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
