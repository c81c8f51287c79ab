"""Helpers shared by the back-office tests: URLs, form data, rows to work on, and parsers of
what a page shows (their fixtures stay in each module or in conftest.py)."""

from datetime import timedelta
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from settle.arrangements.policy import POLICY_LIMITS
from settle.arrangements.selectors import policy_shown
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Template
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.configuration import WORKFLOW_PARAMETERS
from settle.responses.models import ResponseType, WorkflowKind
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind
from settle.worklist.services import task_assign, task_create


def edit_url(response_type: ResponseType) -> str:
    return reverse("backoffice:response_type_edit", args=[response_type.pk])


def type_named(code: str) -> ResponseType:
    return ResponseType.objects.get(code=code)


def form_data(response_type: ResponseType, **changes) -> dict:
    """The edit form as the page sends it unchanged; `changes` override single inputs, with
    `field_<key>__<name>` for a field's input and False to leave a checkbox unticked."""
    data = {
        "name_nl": response_type.name_nl,
        "name_en": response_type.name_en,
        "external_action_id": response_type.external_action_id,
        "position": str(response_type.position),
    }
    for flag in ("excludes_from_dunning", "enabled_in_portal"):
        if getattr(response_type, flag):
            data[flag] = "on"
    for name in WORKFLOW_PARAMETERS[response_type.workflow]:
        value = getattr(response_type, name)
        if value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = str(value)
    if response_type.workflow == WorkflowKind.ARRANGEMENT:
        policy = policy_shown(response_type=response_type)
        for name in POLICY_LIMITS:
            data[f"policy-{name}"] = str(getattr(policy, name))
    for field in response_type.fields.all():
        prefix = f"field-{field.pk}-"
        data[prefix + "label_nl"] = field.label_nl
        data[prefix + "label_en"] = field.label_en
        data[prefix + "position"] = str(field.position)
        for flag in ("visible", "optional"):
            if getattr(field, flag):
                data[prefix + flag] = "on"
    for name, value in changes.items():
        if name.startswith("field_"):
            key, _, attribute = name[len("field_") :].rpartition("__")
            name = f"field-{response_type.fields.get(key=key).pk}-{attribute}"
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


class LabelCheck(HTMLParser):
    """Collects the ids of inputs a person fills in and the `for` of every label."""

    def __init__(self):
        super().__init__()
        self.inputs: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        skipped = {"hidden", "submit", "button"}
        if tag in ("input", "select", "textarea") and attrs.get("type") not in skipped:
            self.inputs.append(attrs.get("id") or f"<{tag} name={attrs.get('name')}>")


def unlabelled_inputs(html: str) -> list[str]:
    check = LabelCheck()
    check.feed(html)
    return [name for name in check.inputs if name not in check.labelled]


HUGE = "9999999999999999999999"


LONG = "x" * 100_000


MISSING_PKS = [0, 987_654, 2**31, 2**63, int(HUGE)]


# Values no input of these pages expects.
GARBAGE = ["x", "-1", "0", "1.5", "1e3", "💥", HUGE, "9" * 5000, "\x00", "1\x00", " ", LONG]


def short(value) -> str:
    """A test id that stays readable for a value of 100,000 characters."""
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...{len(text)}chars"


class ErrorTexts(HTMLParser):
    """The texts a person reads as errors: form errors and flashed messages of the error kind."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif {"errors", "error-summary", "message--error"} & set(classes):
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def shown_errors(html: str) -> list[str]:
    parser = ErrorTexts()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts if text.strip()]


def page_after(client, response) -> str:
    """The page a redirect leads to, as the person then sees it."""
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def errors_after(client, response) -> list[str]:
    """The errors a person reads after a refused request: on the page it leads to, or on the
    page it answers with (400 for input that cannot be read, 409 for a state that refuses it)."""
    if response.status_code == 302:
        return shown_errors(page_after(client, response))
    assert response.status_code in (400, 409), response.status_code
    return shown_errors(response.content.decode())


WORKLIST = reverse("backoffice:task_list")


def new_task(debtor, *, days=2, kind=TaskKind.COMPLAINT, assignee=None, **kwargs) -> Task:
    task = task_create(
        kind=kind,
        title=kwargs.pop("title", "Klacht behandelen"),
        debtor=debtor,
        due_date=timezone.localdate() + timedelta(days=days),
        **kwargs,
    )
    return task_assign(task=task, assignee=assignee) if assignee is not None else task


def complaint_task(debtor, **kwargs):
    """A task for an open complaint on one invoice, which keeps that invoice from dunning."""
    invoice = InvoiceFactory(debtor=debtor)
    response = ResponseFactory(
        debtor=debtor, invoices=[invoice], values={"text": "Het bedrag klopt niet"}
    )
    return new_task(debtor, invoices=[invoice], response=response, **kwargs), response, invoice


def detail_url(task: Task) -> str:
    return reverse("backoffice:task_detail", args=[task.pk])


def action_url(task: Task, action: str) -> str:
    return reverse(f"backoffice:task_{action}", args=[task.pk])


PASSWORD = "correct-horse-battery-staple"


def axe_violations_in_main(page) -> list[str]:
    """axe-core's violations inside <main>, what these pages add. Contrast is left out: the
    shared faint grey (--ink-faint in backoffice.css, used by .muted, .subline and the footer)
    is below 4.5:1 on every back-office page, which is for that stylesheet to fix."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context={"include": [["main"]]},
        options={"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}},
    )
    return [
        f"[{violation['id']}] {violation['help']}: {node['html']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


HTMX = {"HTTP_HX_REQUEST": "true"}


def template(kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, language="nl") -> Template:
    return Template.objects.get(kind=kind, channel=channel, language=language)


def url(name: str, stored: Template) -> str:
    return reverse(f"backoffice:{name}", args=[stored.pk])


def texts(stored: Template, **changes) -> dict:
    data = {"subject": stored.subject, "body_text": stored.body_text, "body_html": stored.body_html}
    return {**data, **changes}
