"""Writing and describing audit events.

Every business operation calls :func:`record_event` inside its transaction, so
the event exists exactly when the change does. Each app registers how its
actions read in the timeline (:func:`register_actions`); the sentence is built
when shown, in the reader's language, from the event's stored details.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.formats import date_format
from django.utils.functional import Promise

from .models import AuditEvent


@dataclass(frozen=True)
class ActionText:
    label: Promise  # short name of the action, e.g. "Service started"
    # A sentence with %(name)s placeholders filled from the details, or a function
    # of the (display-ready) details that returns the sentence.
    template: Promise | Callable[[Mapping], str] | None = None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACTIONS: dict[str, ActionText] = {}
# Detail keys holding a choice code, shown with the choice's label in the reader's language.
_DETAIL_CHOICES: dict[str, type[models.Choices]] = {}


def register_actions(actions: Mapping[str, ActionText], detail_choices: Mapping | None = None) -> None:
    _ACTIONS.update(actions)
    _DETAIL_CHOICES.update(detail_choices or {})


def action_label(action: str) -> str:
    text = _ACTIONS.get(action)
    return str(text.label) if text else action


def describe(event: AuditEvent) -> str:
    """The event as a sentence in the active language."""
    text = _ACTIONS.get(event.action)
    if text is None:
        return event.action
    if text.template is None:
        return str(text.label)
    shown = _Defaulting(_labelled(event.details))
    if callable(text.template):
        return text.template(shown)
    try:
        return str(text.template) % shown
    except (TypeError, ValueError):
        return str(text.label)


def _labelled(details: Mapping) -> dict:
    shown = dict(details)
    for key, value in details.items():
        choices = _DETAIL_CHOICES.get(key)
        if choices is not None and value in choices.values:
            shown[key] = str(choices(value).label)
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[key] = f"{value:,}"
        elif isinstance(value, str) and _ISO_DATE.match(value):
            shown[key] = date_format(date.fromisoformat(value))
    return shown


class _Defaulting(dict):
    """Details missing from an older event read as an empty string, not an error."""

    def __missing__(self, key):
        return ""


def user_or_none(user):
    """The acting user as stored: None for the system (anonymous or no user)."""
    return user if getattr(user, "pk", None) else None


def record_event(
    action: str,
    *,
    actor,
    subject: models.Model,
    household_id: int | None = None,
    details: Mapping | None = None,
    changes: Mapping | None = None,
    reason: str = "",
    effective_on: date | None = None,
    operation: uuid.UUID | None = None,
    category: str = AuditEvent.Category.OPERATION,
) -> AuditEvent:
    if action not in _ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    return AuditEvent.objects.create(
        actor=user_or_none(actor),
        category=category,
        action=action,
        object_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        household_id=household_id,
        operation=operation or uuid.uuid4(),
        effective_on=effective_on,
        details=dict(details or {}),
        changes=dict(changes or {}),
        reason=reason,
    )


def diff(before: Mapping, after: Mapping) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}
