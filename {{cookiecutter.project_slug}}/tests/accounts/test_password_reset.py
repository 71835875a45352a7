"""Asking for a password reset reveals nothing: same response and same work, account or not."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, VerifiedUserFactory
from tests.replicas import catch_up

# The job reads the database from the worker's own connection: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

RESET_LINK = re.compile(r"https?://testserver(/accounts/password/reset/key/\S+/)")


def request_reset(client, email: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/password/reset/", {"email": email})
    return response, [q["sql"] for q in queries.captured_queries]


def shape(sql: list[str]) -> list[str]:
    """The statements without their literal values, to compare the work two requests did."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", statement) for statement in sql]


def test_reset_request_is_answered_identically_whether_or_not_the_account_exists(client, jobs):
    user = VerifiedUserFactory(email="known@example.com")
    catch_up()  # written outside any request, so no job carries its position: the job may read a replica

    known, known_sql = request_reset(client, user.email)
    unknown, unknown_sql = request_reset(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    # The same statements, in the same order: no lookup the other path skips, and no
    # mail server in the request (mail is queued), so the time taken does not depend on it.
    assert shape(known_sql) == shape(unknown_sql)
    assert mail.outbox == []
    assert jobs.pending() == 2, "one mail queued per request"

    jobs.run()

    to_known = [m for m in mail.outbox if m.to == ["known@example.com"]]
    to_unknown = [m for m in mail.outbox if m.to == ["nobody@example.com"]]
    assert len(to_known) == len(to_unknown) == 1
    assert RESET_LINK.search(to_known[0].body)
    assert not RESET_LINK.search(to_unknown[0].body), "an unknown address gets no reset link"


def test_the_reset_link_sets_a_new_password(client, jobs):
    user = VerifiedUserFactory()
    catch_up()  # as above: the job that mails the link looks the account up, possibly on a replica
    request_reset(client, user.email)
    jobs.run()
    link = RESET_LINK.search(mail.outbox[-1].body).group(1)

    form = client.get(link, follow=True)
    new_password = "a brand new passphrase 42"
    response = client.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)


def test_a_used_or_forged_reset_link_is_refused_with_a_page(client):
    response = client.get("/accounts/password/reset/key/zz-forged-token/", follow=True)

    assert response.status_code == 200
    assert "Bad Token" in response.content.decode() or "invalid" in response.content.decode().lower()
