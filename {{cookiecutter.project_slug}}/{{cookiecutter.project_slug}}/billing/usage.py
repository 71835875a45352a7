"""What an organization uses against its plan's limits, for the dashboard ("3 of 10 invoices").

Billing counts seats itself; a feature app that counts something against a limit registers a
counter in its ``ready`` (``register_usage``), so billing never names the app and deleting the
app removes its line from the dashboard.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from . import entitlements
from .plans import Limit


@dataclass(frozen=True)
class Counter:
    limit: str  # a plans.Limit
    noun: str  # what is counted, plural ("invoices")
    count: Callable[[uuid.UUID], int]  # the organization's public id -> how many it has


@dataclass(frozen=True)
class Usage:
    noun: str
    used: int
    allowed: int | None  # None: no limit

    @property
    def full(self) -> bool:
        return self.allowed is not None and self.used >= self.allowed

    @property
    def percent(self) -> int:
        return 0 if not self.allowed else min(100, round(100 * self.used / self.allowed))


_counters: dict[str, Counter] = {}


def register_usage(*, limit: str, noun: str, count: Callable[[uuid.UUID], int]) -> None:
    """Show ``count`` of the organization against its plan's ``limit`` on the dashboard (idempotent by noun)."""
    _counters[noun] = Counter(limit, noun, count)


def unregister_usage(*, noun: str) -> None:
    _counters.pop(noun, None)


def usage_of(organization: Organization, *, principal: Principal | None = None) -> list[Usage]:
    """Members against seats, then each registered counter against its limit (limits from the cached entitlements)."""
    found = entitlements.entitlements_of(organization.public_id, principal=principal)
    members = organization.memberships.count()
    rows = [Usage("members", members, found.limits.get(Limit.SEATS))]
    for counter in _counters.values():
        rows.append(Usage(counter.noun, counter.count(organization.public_id), found.limits.get(counter.limit)))
    return rows
