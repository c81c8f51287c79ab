from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class DueRow(TimestampedModel):
    """A piece of later work: due at `due_at`, leased by one worker at a time.

    `lease_token` names the claim; a worker finishes a row only while its token still stands, so
    a worker that overslept its lease cannot overwrite the work of the one that took over.
    """

    due_at = models.DateTimeField(db_index=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
