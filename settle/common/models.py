from django.db import models
from django.db.models import Q


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
        # claim_due finds its batch again by lease token on every worker table; only leased rows
        # carry one, so the index stays small. A subclass's own Meta must inherit this one
        # (`class Meta(DueRow.Meta)`) and list these indexes again (`*DueRow.Meta.indexes`).
        # Names are at most 30 characters: "responses_paymentpromise_lease" is the longest.
        indexes = [
            models.Index(
                fields=["lease_token"],
                condition=Q(lease_token__isnull=False),
                name="%(app_label)s_%(class)s_lease",
            ),
        ]
