"""Finish the generated project: keep the chosen licence, drop the example if asked, write secrets.

Runs inside the new project folder. It needs no network: nothing here resolves
or downloads packages (the project ships a uv.lock instead), and only the
standard library, as the project's virtualenv does not exist yet.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")
PROJECT = Path.cwd()
LICENSES = PROJECT / ".licenses"
# The files a project without the example starts with instead, at their places in the project: its one API
# version (api/versions.py: v1, not released) and the contracts of that version (docs/api/), which
# scripts/remove_example.py would write with Django; docs/maintaining.md says how to refresh them.
WITHOUT_EXAMPLE = PROJECT / ".without-example"


def keep_chosen_license(choice: str) -> None:
    """Keep the chosen licence as LICENSE and drop the others."""
    if choice != "Not open source":
        (LICENSES / choice).replace(PROJECT / "LICENSE")
    shutil.rmtree(LICENSES)


def remove_example(choice: str) -> list[str]:
    """Without the example, delete it with the project's own recipe, scripts/remove_example.py (its code and
    the passages of the docs marked as about it), and put in its own API versions and their contracts; always drop
    the hook's copy of those files. Return the docs' lines that still name it: none unless a passage is left
    unmarked."""
    mentions = []
    if choice == "no":
        spec = importlib.util.spec_from_file_location("remove_example", PROJECT / "scripts" / "remove_example.py")
        assert spec is not None  # a .py file always has a spec
        assert spec.loader is not None  # and a loader
        recipe = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = recipe  # dataclasses look their module up while it runs
        sys.dont_write_bytecode = True  # no scripts/__pycache__ left behind
        spec.loader.exec_module(recipe)
        recipe.apply(recipe.plan(PROJECT))  # deletes the script too, its work done
        for path in sorted(WITHOUT_EXAMPLE.rglob("*")):
            if path.is_file():
                path.replace(PROJECT / path.relative_to(WITHOUT_EXAMPLE))
        mentions = recipe.mentions(PROJECT)
    shutil.rmtree(WITHOUT_EXAMPLE)
    return mentions


def write_env_file() -> None:
    """Write a local .env with fresh secrets; .gitignore keeps it out of git."""
    env_file = PROJECT / ".env"
    env_file.write_text(
        "# Local settings and secrets for this checkout only. Never commit this file.\n"
        "# Every variable is documented in .env.example.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "\n"
        "# Uncomment to run in full mode against local services:\n"
        "# DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
        f"{ANSWERS['project_slug']}\n"
        "# REDIS_URL=redis://127.0.0.1:6379/0\n",
        encoding="utf-8",
    )
    env_file.chmod(0o600)


def main() -> int:
    keep_chosen_license(ANSWERS["open_source_license"])
    mentions = remove_example(ANSWERS["include_example"])
    write_env_file()
    if mentions:
        print(
            f"\nWithout the worked example: {len(mentions)} lines of the docs (README.md, docs/, loadtests/) still "
            "name it, outside the passages marked as about it; reword them as you build your own app.",
            file=sys.stderr,
        )
    print(
        f"\nCreated {ANSWERS['project_slug']}/. Next:\n"
        f"  cd {ANSWERS['project_slug']} && uv run manage.py migrate && uv run manage.py runserver\n",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
