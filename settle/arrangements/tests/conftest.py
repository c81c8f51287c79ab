from datetime import datetime

import pytest
import time_machine

from settle.arrangements.tests.factories import at


@pytest.fixture
def travel():
    """Travel to a moment (a datetime, or a date at 10:00 in Amsterdam) and stay there."""
    current: list = []

    def go(moment):
        if not isinstance(moment, datetime):
            moment = at(moment)
        if current:
            current.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        current.append(traveller)

    yield go
    if current:
        current.pop().stop()
