"""Views and a job for the replica tests: each read reports which server answered it."""

from __future__ import annotations

from typing import Any

import dramatiq
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.db import replica_reads
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit


def read_user(email: str) -> dict[str, Any]:
    """One routed read: is there a user with this email, and did a standby answer?"""
    table = User._meta.db_table
    row = next(
        iter(
            User.objects.raw(
                f"SELECT 0 AS id, pg_is_in_recovery() AS standby, "  # noqa: S608 (a table name, not input)
                f"EXISTS (SELECT 1 FROM {table} WHERE email = %s) AS found",
                [email],
            )
        )
    )
    found, standby = getattr(row, "found"), getattr(row, "standby")  # noqa: B009 (columns of a raw query)
    return {"found": found, "server": "replica" if standby else "primary"}


def create_user(email: str) -> None:
    User.objects.create_user(email=email, password=None)


def write(request: HttpRequest) -> JsonResponse:
    create_user(request.POST["email"])
    return JsonResponse({"ok": True})


def read(request: HttpRequest) -> JsonResponse:
    return JsonResponse(read_user(request.GET["email"]))


def read_twice(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"first": read_user(request.GET["email"]), "second": read_user(request.GET["email"])})


def in_transaction(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        inside = read_user(request.GET["email"])
    locked = User.objects.select_for_update().filter(email=request.GET["email"])
    return JsonResponse({"inside": inside, "select_for_update": locked.db})


def write_then_report(request: HttpRequest) -> JsonResponse:
    create_user(request.POST["email"])
    after_write = read_user(request.POST["email"])
    with replica_reads():
        report = read_user(request.POST["email"])
    return JsonResponse({"after_write": after_write, "report": report})


JOB_READS: list[dict[str, Any]] = []


@dramatiq.actor(queue_name="default")
def read_in_job(email: str) -> None:
    JOB_READS.append(read_user(email))


def write_and_enqueue(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        create_user(request.POST["email"])
        send_on_commit(read_in_job, request.POST["email"])
    return JsonResponse({"ok": True})


urlpatterns = [
    path("write", write),
    path("read", read),
    path("read-twice", read_twice),
    path("in-transaction", in_transaction),
    path("write-then-report", write_then_report),
    path("write-and-enqueue", write_and_enqueue),
]
