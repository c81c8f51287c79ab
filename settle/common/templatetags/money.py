"""`{% load money %}` … `{{ amount|money }}` or `{{ amount|money:invoice.currency }}`.

The filter is `settle.common.money.money` itself, so a template and a message write an amount
alike.
"""

from django import template

from settle.common.money import money

register = template.Library()
register.filter("money", money)
