"""Small helpers shared by tests that run the project's own commands."""

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, drop: Iterable[str] = (), **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a new process, with the variables starting with ``drop`` removed and ``environ`` added."""
    prefixes = tuple(drop)
    env = {name: value for name, value in os.environ.items() if not (prefixes and name.startswith(prefixes))}
    env.update(environ)
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
