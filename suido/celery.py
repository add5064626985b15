"""The Celery application.

With ``CELERY_BROKER_URL`` set (Redis in production) tasks go to workers. Without
it Suido runs embedded: tasks execute in-process at the moment they are queued,
and ``celery beat`` (started by ``make demo``) runs periodic jobs in its own
process the same way, so nothing else has to be running.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suido.settings")

app = Celery("suido")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
