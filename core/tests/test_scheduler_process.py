"""`make demo` runs Celery beat beside the web server; in the embedded mode it runs jobs itself."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.mark.real_clock
def test_beat_runs_periodic_jobs_in_process_without_a_broker(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")},
        "SUIDO_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x",
        "SCHEDULER_HEARTBEAT_SECONDS": "1",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    celery = str(Path(python).with_name("celery"))
    beat = subprocess.Popen(
        [celery, "-A", "suido", "beat", "-s", str(tmp_path / "schedule"), "--loglevel=info"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    check = [
        python,
        "manage.py",
        "shell",
        "-c",
        "from core.models import PeriodicJobRun as P;"
        "print(P.objects.filter(name='scheduler_heartbeat', last_status='ok').count())",
    ]
    try:
        deadline = time.monotonic() + 45
        ran = False
        while time.monotonic() < deadline and not ran:
            time.sleep(2)
            out = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True).stdout
            ran = out.strip().endswith("1")
    finally:
        beat.terminate()
        log = beat.communicate(timeout=20)[0].decode(errors="replace")
    assert ran, f"the heartbeat never ran under celery beat:\n{log[-2000:]}"
