"""Tasks store what they are (`params`), so that each employee reads them in their own language
(issue 10, point 11). Existing tasks keep their stored text; where the stored title is still the
name of the task's kind or of its response's type, the title is shown in the reader's language
from now on, and the stored description is kept as it was."""

from django.db import migrations, models
from django.utils.translation import override


def _kind_titles() -> dict[str, set[str]]:
    from settle.worklist.models import TaskKind

    titles: dict[str, set[str]] = {}
    for kind in TaskKind:
        for language in ("nl", "en"):
            with override(language):
                titles.setdefault(kind.value, set()).add(str(kind.label))
    return titles


def params_from_text(apps, schema_editor):
    task_model = apps.get_model("worklist", "Task")
    kind_titles = _kind_titles()
    for task in task_model.objects.select_related("response__response_type").iterator():
        response_type = task.response.response_type if task.response_id else None
        lines = [task.description] if task.description else []
        if task.title in kind_titles.get(task.kind, ()):
            task.params = {"lines": lines}
        elif response_type is not None and task.title in (
            response_type.name_nl,
            response_type.name_en,
        ):
            names = {"nl": response_type.name_nl, "en": response_type.name_en}
            task.params = {"title": names, "lines": lines}
        else:
            continue
        task.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("worklist", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunPython(params_from_text, migrations.RunPython.noop),
    ]
