"""Small helpers shared by tests that run the project's own commands."""

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, drop: Iterable[str] = (), **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a new process, with the variables starting with ``drop`` removed and ``environ`` added."""
    return _run([sys.executable, "manage.py", *args], drop, environ)


def read_settings(code: str, drop: Iterable[str] = (), **environ: str) -> subprocess.CompletedProcess[str]:
    """Run Python code that reads ``django.conf.settings`` in a new process, the settings chosen as by ``manage.py``.

    Only the settings module is imported, no app is loaded: a third of ``manage.py shell``'s start-up time.
    """
    default = "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local'); "
    return _run([sys.executable, "-c", default + code], drop, environ)


def _run(command: list[str], drop: Iterable[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    prefixes = tuple(drop)
    env = {name: value for name, value in os.environ.items() if not (prefixes and name.startswith(prefixes))}
    env.update(environ)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` (the scripts are no package) as the module ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
