"""A task's text is written in the reader's language from what the task stores (issue 10,
point 11); tasks from before keep their text."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from settle.worklist.models import Task, TaskKind
from settle.worklist.services import task_create
from settle.worklist.texts import amount, both, day, layout, sentence

pytestmark = pytest.mark.django_db


def read(task: Task, language: str) -> tuple[str, str]:
    with translation.override(language):
        return task.title_text, task.description_text


def test_it_writes_the_text_in_the_readers_language(alice):
    task = task_create(
        kind=TaskKind.PROMISE_BROKEN,
        params={
            "lines": [
                sentence(
                    "Promised to pay %(amount)s by %(date)s; checked after %(days)d grace days.",
                    amount=amount(Decimal("1234.50")),
                    date=day(date(2026, 3, 9)),
                    days=3,
                ),
                layout("%(label)s: %(value)s", label=both("Opmerking", "Remark"), value="F-1"),
            ]
        },
        debtor=alice,
        due_date=date(2026, 3, 12),
    )

    title, description = read(task, "en")
    assert title == "Promise to pay not kept"
    assert description.replace("\xa0", "") == (
        "Promised to pay €1,234.50 by 09/03/2026; checked after 3 grace days.\nRemark: F-1"
    )
    title, description = read(task, "nl")
    assert title != "Promise to pay not kept"
    assert description.replace("\xa0", " ").startswith(
        "Beloofde € 1.234,50 te betalen vóór 9-3-2026"
    )
    assert description.endswith("Opmerking: F-1")
    # What is stored for readers without params is the organisation's language.
    assert task.description == description


def test_the_migration_gives_old_tasks_their_title_in_the_readers_language(alice):
    with translation.override("nl"):
        dutch_title = str(TaskKind.PROMISE_BROKEN.label)
    old = Task.objects.create(
        kind=TaskKind.PROMISE_BROKEN,
        title=dutch_title,
        description="Oude beschrijving",
        debtor=alice,
        due_date=date(2026, 3, 12),
    )
    custom = Task.objects.create(
        kind=TaskKind.COMPLAINT,
        title="Iets heel anders",
        debtor=alice,
        due_date=date(2026, 3, 12),
    )
    migration = importlib.import_module("settle.worklist.migrations.0002_task_params")

    migration.params_from_text(apps, None)

    old.refresh_from_db()
    custom.refresh_from_db()
    assert read(old, "en") == ("Promise to pay not kept", "Oude beschrijving")
    assert read(custom, "en") == ("Iets heel anders", "")
    assert custom.params == {}
