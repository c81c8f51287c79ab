from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from settle.api.models import ApiKey


def test_it_prints_a_working_key_as_its_last_line(db):
    out = StringIO()

    call_command("create_api_key", "Exact Online", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/debtors").status_code == 200
    assert ApiKey.objects.get().name == "Exact Online"


def test_it_does_not_store_the_printed_key(db):
    out = StringIO()

    call_command("create_api_key", "ERP", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    stored = ApiKey.objects.values_list("name", "prefix", "key_hash").get()
    assert key not in stored


def test_it_wants_a_name(db):
    with pytest.raises(CommandError):
        call_command("create_api_key", "  ")
    assert not ApiKey.objects.exists()
