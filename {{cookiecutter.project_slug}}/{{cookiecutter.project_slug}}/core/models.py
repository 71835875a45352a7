from django.db import models


class CompletedJob(models.Model):
    """A job with an idempotency key that has completed; a redelivered message with the key is skipped.

    The row is written in the same transaction as the job's database work, so the
    two commit (or vanish) together: a worker killed before the commit leaves no
    record and the redelivered message runs again; one killed after it leaves the
    record and the redelivery does nothing.
    """

    key = models.CharField(max_length=200, unique=True)
    actor = models.CharField(max_length=200)
    completed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.actor}: {self.key}"


class UnsentJob(models.Model):
    """A job enqueued while the broker could not be reached, kept until ``enqueue_unsent_jobs`` sends it.

    ``send_on_commit`` writes it after the caller's transaction committed, so the
    request still succeeds (a password reset while Redis is down, say); the
    scheduled job enqueues it once the broker answers again.
    """

    queue_name = models.CharField(max_length=200)
    message = models.TextField()  # the Dramatiq message, encoded
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.queue_name}: {self.message[:80]}"
