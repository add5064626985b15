"""Notifications to customers by SMS and e-mail, through a transactional outbox.

Business actions call ``queue`` inside their transaction; the database row is the
source of truth. After commit a Celery task delivers it (``deliver``); the periodic
sweep (``deliver_pending``) delivers whatever that could not: broker down, retries
due, scheduled notices. See docs/notifications.md.
"""

from .delivery import deliver, deliver_pending
from .outbox import queue

__all__ = ["deliver", "deliver_pending", "queue"]
