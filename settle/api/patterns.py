"""The patterns and rules with which the OpenAPI document states what the server enforces.

JSON Schema patterns are ECMAScript regular expressions: ASCII classes ([0-9], not \\d, which in
Python also matches other scripts' digits) keep their meaning the same in both languages.
"""

import re

from settle.receivables.field_checks import DATE_MAX, DATE_MIN

MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
MONEY_RE = re.compile(MONEY_PATTERN)
# A positive amount: the same, with a digit other than 0 somewhere.
POSITIVE_MONEY_PATTERN = r"^(?=[0-9.]*[1-9])[0-9]{1,12}(\.[0-9]{1,2})?$"
# YYYY-MM-DD from DATE_MIN to DATE_MAX (1900-01-01 to 2100-12-31); a day that does not exist,
# such as 2025-02-30, the format "date" excludes.
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATE_DESCRIPTION = f"ISO 8601, from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}."
# What NUMBER_RE of the records accepts: letters, digits and . _ -, at most 50.
NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# Text that is stored stripped and must not end up empty, nor contain NUL (see schemas.py).
# Python's strip() also takes \x1c-\x1f and \x85, which ECMAScript's \s does not include.
NOT_BLANK_PATTERN = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"
NO_NUL_PATTERN = r"^[^\x00]*$"


def _delivery_needs(method: str, field: str, needed: dict) -> dict:
    """JSON Schema: when delivery_method is `method`, `field` must be `needed`."""
    condition: dict = {"properties": {"delivery_method": {"const": method}}}
    if method == "email":
        # Left out or null, delivery_method is email (an absent property matches anyway).
        condition = {"properties": {"delivery_method": {"enum": ["email", None]}}}
    else:
        condition["required"] = ["delivery_method"]
    return {"if": condition, "then": {"required": [field], "properties": {field: needed}}}


NOT_BLANK = {"type": "string", "pattern": NOT_BLANK_PATTERN}
DEBTOR_DELIVERY_RULES = [
    _delivery_needs("email", "email", {**NOT_BLANK, "format": "email"}),
    _delivery_needs("sms", "mobile", NOT_BLANK),
    _delivery_needs(
        "post",
        "address",
        {
            "type": "object",
            "required": ["street", "postal_code", "city"],
            "properties": {"street": NOT_BLANK, "postal_code": NOT_BLANK, "city": NOT_BLANK},
        },
    ),
]
