"""Read settings from the environment, collecting every problem before failing.

A settings module reads each variable through one ``Env`` and calls
``env.check()`` at its end, which raises ``ImproperlyConfigured`` naming every
missing or invalid variable at once, so ``manage.py check`` (and every other
entry point) refuses to start with a message that says what to fix.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE: Final = frozenset({"1", "true", "yes", "on"})
FALSE: Final = frozenset({"0", "false", "no", "off", ""})


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a .env file: ``NAME=value`` lines, ``#`` comments, optional quotes.

    An empty value means unset, so a copy of .env.example changes nothing.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ImproperlyConfigured(f"{path.name}, line {number}: expected NAME=value.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif value.startswith("#"):
            value = ""
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[name] = value
    return values


class Env:
    """Typed access to environment variables, with every error collected."""

    def __init__(self, environ: Mapping[builtins.str, builtins.str] | None = None, dotenv: Path | None = None):
        # Real environment variables win over the .env file.
        self.values: builtins.dict[builtins.str, builtins.str] = read_dotenv(dotenv) if dotenv else {}
        self.values.update(os.environ if environ is None else environ)
        self.errors: builtins.dict[builtins.str, builtins.str] = {}

    def _raw(self, name: builtins.str, default: Any) -> builtins.str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if default is REQUIRED:
                self.errors[name] = "is required but not set"
            return None
        return value

    def _fail(self, name: builtins.str, message: builtins.str) -> None:
        self.errors[name] = message

    def str(self, name: builtins.str, default: Any = REQUIRED, *, min_length: builtins.int = 0) -> builtins.str:
        value = self._raw(name, default)
        if value is None:
            return "" if default is REQUIRED else default
        if len(value) < min_length:
            self._fail(name, f"must be at least {min_length} characters long")
        return value

    def bool(self, name: builtins.str, default: Any = REQUIRED) -> builtins.bool:
        value = self._raw(name, default)
        if value is None:
            return False if default is REQUIRED else bool(default)
        lowered = value.strip().lower()
        if lowered not in TRUE | FALSE:
            self._fail(name, f"must be true or false (1/0, yes/no, on/off), got {value!r}")
            return False
        return lowered in TRUE

    def int(
        self,
        name: builtins.str,
        default: Any = REQUIRED,
        *,
        min_value: builtins.int | None = None,
        max_value: builtins.int | None = None,
    ) -> builtins.int:
        value = self._raw(name, default)
        if value is None:
            return 0 if default is REQUIRED else int(default)
        try:
            number = int(value)
        except ValueError:
            self._fail(name, f"must be a whole number, got {value!r}")
            return 0 if default is REQUIRED else int(default)
        if min_value is not None and number < min_value:
            self._fail(name, f"must be at least {min_value}, got {number}")
        if max_value is not None and number > max_value:
            self._fail(name, f"must be at most {max_value}, got {number}")
        return number

    def list(self, name: builtins.str, default: Any = REQUIRED) -> builtins.list[builtins.str]:
        value = self._raw(name, default)
        if value is None:
            return [] if default is REQUIRED else list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: builtins.str, choices: tuple[builtins.str, ...], default: Any = REQUIRED) -> builtins.str:
        value = self._raw(name, default)
        if value is None:
            return choices[0] if default is REQUIRED else default
        if value not in choices:
            self._fail(name, f"must be one of {', '.join(choices)}, got {value!r}")
            return choices[0]
        return value

    def url(self, name: builtins.str, default: Any = REQUIRED, *, schemes: tuple[builtins.str, ...]) -> builtins.str:
        value = self._raw(name, default)
        if value is None:
            return "" if default is REQUIRED else default
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.hostname or parts.path):
            self._fail(name, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
            return ""
        return value

    def origins(self, name: builtins.str, default: Any = REQUIRED) -> builtins.list[builtins.str]:
        """A comma-separated list of web origins: ``scheme://host[:port]``, nothing after the host."""
        values = self.list(name, default)
        for value in values:
            parts = urlsplit(value)
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme not in ("http", "https") or not parts.hostname or value != origin:
                self._fail(name, f"{value!r} is not an origin: write http(s)://host[:port], with nothing after it")
        return values

    def database(self, name: builtins.str, default: Any = REQUIRED) -> builtins.dict[builtins.str, Any] | None:
        """Parse ``postgres://user:password@host:port/name?option=value``."""
        value = self.url(name, default, schemes=("postgres", "postgresql"))
        if not value:
            return None
        return self._database(name, value)

    def databases(self, name: builtins.str, default: Any = REQUIRED) -> builtins.list[builtins.dict[builtins.str, Any]]:
        """Parse a comma-separated list of database URLs (e.g. read replicas)."""
        parsed = []
        for number, value in enumerate(self.list(name, default), start=1):
            parts = urlsplit(value)
            if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
                self._fail(name, f"URL number {number} must start with postgres:// and name a host")
                continue
            database = self._database(name, value)
            if database is not None:
                parsed.append(database)
        return parsed

    def error(self, name: builtins.str, message: builtins.str) -> None:
        """Report a problem found by combining variables; ``check()`` raises it with the rest."""
        self._fail(name, message)

    def _database(self, name: builtins.str, value: builtins.str) -> builtins.dict[builtins.str, Any] | None:
        parts = urlsplit(value)
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            self._fail(name, "must name a database, e.g. postgres://user@host:5432/app")
            return None
        try:
            port = parts.port or 5432
        except ValueError:
            self._fail(name, "has an invalid port")
            return None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port),
            "OPTIONS": dict(parse_qsl(parts.query)),
        }

    def mailer(
        self,
        name: builtins.str,
        default: Any = REQUIRED,
        *,
        schemes: tuple[builtins.str, ...] = ("smtp", "smtps", "console", "locmem"),
    ) -> builtins.dict[builtins.str, Any]:
        """Parse ``smtp://user:password@host:587?tls=true``, ``smtps://...``, ``console://``, ``locmem://``.

        Returns a MAILERS entry. ``smtp`` upgrades with STARTTLS when ``tls=true``;
        ``smtps`` speaks TLS from the first byte (port 465).
        """
        value = self._raw(name, default)
        if value is None:
            if default is REQUIRED:
                return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
            value = default
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            self._fail(name, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
            return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if parts.scheme == "console":
            return {"BACKEND": "{{ cookiecutter.project_slug }}.core.email.ConsoleEmailBackend"}
        if parts.scheme == "locmem":
            return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        if not parts.hostname:
            self._fail(name, "must name the mail server, e.g. smtp://user:password@smtp.example.com:587?tls=true")
        query = dict(parse_qsl(parts.query))
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            self._fail(name, "has an invalid port")
            port = 25
        options: builtins.dict[builtins.str, Any] = {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "timeout": 10,
        }
        if parts.scheme == "smtps":
            options["use_ssl"] = True
        elif query.get("tls", "").lower() in TRUE:
            options["use_tls"] = True
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}

    def check(self) -> None:
        """Raise ImproperlyConfigured naming every missing or invalid variable."""
        if self.errors:
            problems = "; ".join(f"{name} {problem}" for name, problem in sorted(self.errors.items()))
            raise ImproperlyConfigured(f"Invalid environment: {problems}.")
