"""Fill a baked project with sample data and serve it: for screenshots and Lighthouse.

Used by scripts/screenshots.py and tests/test_pages_lighthouse.py. The pages and the
sign-in live in _tour.py, which runs with the baked project's Python (it has Playwright).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from _bootstrap import BIN

EMAIL = "founder@example.com"
PASSWORD = "correct-horse-battery-staple"

# Runs in `manage.py shell`: one founder, one organization with a teammate, a key, a webhook that has
# delivered an event, an open invitation and each installed app's sample data (the example's projects, when the
# project has the example), so every page shows content rather than its empty state.
SEED = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from {{slug}}.organizations import keys, services
from {{slug}}.organizations.models import Membership
from {{slug}}.organizations.management.commands.seed_demo import seed_apps
from {{slug}}.webhooks.services import endpoint_create, event_emit

User = get_user_model()
if not User.objects.filter(email="{EMAIL}").exists():
    founder = User.objects.create_user(email="{EMAIL}", password="{PASSWORD}", name="Ada Founder")
    EmailAddress.objects.create(user=founder, email=founder.email, verified=True, primary=True)
    org = services.organization_create(name="Rocket Shop", owner=founder)
    endpoint_create(organization=org, url="https://hooks.example.com/in", event_types=["member.added"], actor=founder)
    teammate = User.objects.create_user(email="grace@example.com", password="{PASSWORD}", name="Grace Teammate")
    Membership.objects.create(organization=org, user=teammate, role="member")
    event_emit(organization=org, event_type="member.added", data={{"email": teammate.email}})
    keys.api_key_create(organization=org, actor=founder, name="CI", scopes=["members.view"], expires_in_days=90)
    services.invitation_create(
        organization=org, email="linus@example.com", role="admin", invited_by=founder, link_base="http://localhost/"
    )
    seed_apps(organization=org, owner=founder)
print("organization=" + str(Membership.objects.get(user__email="{EMAIL}", role="owner").organization.public_id))
"""


def project_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Zero-service mode: no database, cache or broker URLs from the caller's environment."""
    prefixes = ("DATABASE_", "REDIS_", "DJANGO_", "VIRTUAL_ENV")
    env = {k: v for k, v in (base or os.environ).items() if not k.startswith(prefixes)}
    env["PYTHONUNBUFFERED"] = "1"
    env["DJANGO_DEV_TOOLS"] = "false"  # pages as users see them: no debug toolbar, no reload script
    return env


def python_of(project: Path) -> str:
    return str(project / ".venv" / BIN / "python")


def seed(project: Path) -> str:
    """Migrate and fill the project's SQLite database; return the sample organization's public id."""
    python, env = python_of(project), project_env()
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=project, env=env, check=True)
    code = SEED.replace("{slug}", project.name)
    result = subprocess.run(
        [python, "manage.py", "shell", "-c", code], cwd=project, env=env, check=True, capture_output=True, text=True
    )
    # The development mailer prints the invitation's mail to the same output, from the job's thread, so its text
    # can land on the marked line itself: take the id by its shape.
    found = re.search(r"^organization=([0-9a-f-]{36})", result.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"the seed printed no organization id:\n{result.stdout[-2000:]}")
    return found.group(1)


@contextlib.contextmanager
def serve(project: Path, port: int) -> Iterator[str]:
    """Run the project's development server on 127.0.0.1:port until the block ends; yield its base URL."""
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [python_of(project), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=project,
        env=project_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the development server did not answer on {base}") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def tour(project: Path, base: str, organization: str, out: Path, *, shots: bool) -> dict:
    """Run _tour.py with the project's Python: it signs in, visits every page and reports (and shoots)."""
    command = [python_of(project), str(Path(__file__).with_name("_tour.py")), base, organization, str(out)]
    if shots:
        command.append("--shots")
    if not (project / project.name / "projects").is_dir():  # baked without the worked example
        command.append("--without-example")
    result = subprocess.run(command, cwd=project, env=project_env(), check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


if __name__ == "__main__":
    sys.exit("a helper module: run scripts/screenshots.py")
