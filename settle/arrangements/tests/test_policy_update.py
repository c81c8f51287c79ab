"""Changing a type's arrangement policy: new proposals follow it, decided ones keep theirs."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.arrangements.models import ArrangementState
from settle.arrangements.policy import policy_for, policy_update
from settle.arrangements.tests.factories import arrangement_type, invoices_of, propose
from settle.common.errors import ApplicationError

pytestmark = pytest.mark.django_db

VALUES = {
    "max_instalments": 12,
    "min_instalment_amount": Decimal("10.00"),
    "max_total_amount": Decimal("10000.00"),
    "max_days_to_first": 60,
    "max_duration_months": 18,
    "no_auto_accept_months": 0,
}


def test_it_changes_the_policy_for_new_proposals(alice, travel):
    travel(date(2026, 3, 2))
    before = propose(alice, invoices_of(alice, "1200.00"), count=12, first_date=date(2026, 3, 2))

    policy_update(response_type=arrangement_type(), **VALUES)
    after = propose(alice, invoices_of(alice, "1200.00"), count=12, first_date=date(2026, 3, 2))

    assert before.state == ArrangementState.UNDER_REVIEW
    assert after.state == ArrangementState.ACCEPTED
    policy = policy_for(arrangement_type())
    assert {name: getattr(policy, name) for name in VALUES} == VALUES


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_instalments", 0),
        ("max_instalments", 121),
        ("min_instalment_amount", Decimal("-1.00")),
        ("min_instalment_amount", Decimal("1.005")),
        ("max_total_amount", Decimal("0.00")),
        ("max_days_to_first", -1),
        ("max_duration_months", 0),
        ("no_auto_accept_months", 121),
    ],
)
def test_it_refuses_values_that_make_no_sense(db, field, value):
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        policy_update(response_type=arrangement_type(), **{**VALUES, field: value})

    assert [error.field for error in caught.value.errors] == [field]
    assert policy_for(arrangement_type()).max_instalments == 6
