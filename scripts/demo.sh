#!/usr/bin/env bash
# `make demo`: an SQLite database under var/, a demo city, the scheduler and the web console.
set -euo pipefail
cd "$(dirname "$0")/.."
premises="${1:-3000}"
mkdir -p var/static  # STATIC_ROOT: empty in the demo, which serves the source files
# The demo keeps its own secret so sessions survive restarts; production sets SECRET_KEY.
[ -s var/demo-secret-key ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/demo-secret-key
export SECRET_KEY_FILE="$PWD/var/demo-secret-key" SUIDO_DEMO=1 SECURE_COOKIES=0 DEBUG="${DEBUG:-0}"
unset DATABASE_URL CELERY_BROKER_URL  # the embedded default: SQLite, tasks in-process

scripts/ensure_fonts.sh

.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py demo_setup --premises "$premises"

# Periodic jobs (Celery beat) run beside the web server and stop with it.
.venv/bin/celery -A suido --quiet beat --loglevel=warning -s var/celerybeat-schedule --pidfile= &
beat=$!
trap 'kill $beat 2>/dev/null || true' EXIT INT TERM

echo
echo "Suido console: http://127.0.0.1:8000   (Ctrl-C stops the console and the scheduler)"
.venv/bin/python manage.py runserver 127.0.0.1:8000 --noreload
