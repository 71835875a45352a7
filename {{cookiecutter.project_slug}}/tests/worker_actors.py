"""Actors for the worker-process tests (tests/core/test_worker_process.py), loaded by a real worker."""

import os
import time

from django.core.cache import cache

from {{ cookiecutter.project_slug }}.core.jobs.actors import actor
from {{ cookiecutter.project_slug }}.organizations.models import Organization


@actor(max_retries=3, min_backoff=100, idempotency_key=lambda key, name, pause: f"test-worker:{key}")
def create_organization_once(key: str, name: str, pause: float) -> None:
    Organization.objects.create(name=name)
    cache.set(f"started:{key}", os.getpid(), timeout=60)
    time.sleep(pause)  # still inside the transaction: a kill here rolls the insert back
