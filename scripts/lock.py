"""Regenerate the generated project's uv.lock (maintainers run this after changing its dependencies).

Bakes the default project, runs ``uv lock`` in it (pass --upgrade to take newer
releases), and copies the lock back into the template with the project's name
and version turned back into cookiecutter variables.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _bootstrap import ROOT, find_uv, say, sync_tools, tool_environment

TEMPLATE_LOCK = ROOT / "{{cookiecutter.project_slug}}" / "uv.lock"
ROOT_PACKAGE = re.compile(r'\[\[package\]\]\nname = "acme-cloud"\nversion = "0\.1\.0"\nsource = \{ virtual = "\." \}\n')
TEMPLATED = (
    "[[package]]\n"
    "name = \"{{ cookiecutter.project_slug|replace('_', '-') }}\"\n"
    'version = "{{ cookiecutter.version }}"\n'
    'source = { virtual = "." }\n'
)


def main() -> int:
    uv = find_uv()
    env = tool_environment()
    bin_dir = sync_tools(uv, env)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(bin_dir / "cookiecutter"), "--no-input", "-o", tmp, str(ROOT)], env=env, check=True)
        project = Path(tmp) / "acme_cloud"
        subprocess.run([uv, "lock", *sys.argv[1:]], cwd=project, env=env, check=True)
        lock = (project / "uv.lock").read_text(encoding="utf-8")
    templated, count = ROOT_PACKAGE.subn(TEMPLATED, lock)
    if count != 1:
        say("error: the project's own entry was not found in uv.lock; is the default slug still acme_cloud?")
        return 1
    TEMPLATE_LOCK.write_text(templated, encoding="utf-8")
    say(f"wrote {TEMPLATE_LOCK.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
