from django import template

from core.money import format_won
from core.phones import format_phone
from customers.choices import RevealReason
from customers.privacy import shown_name as _shown_name

register = template.Library()


@register.filter
def masked_name(customer) -> str:
    return _shown_name(customer)


@register.simple_tag
def reveal_reasons():
    return RevealReason.choices


@register.filter
def won(amount) -> str:
    return format_won(int(amount))


@register.filter
def phone(e164: str) -> str:
    return format_phone(e164)
