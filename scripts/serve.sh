#!/usr/bin/env bash
# Serve shipdesk and run its task worker side by side; one Ctrl-C stops both.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py db_worker --interval 2 &
worker=$!
$PY manage.py runserver 127.0.0.1:8000 --noreload &
web=$!
trap 'kill $worker $web 2>/dev/null; wait $worker $web 2>/dev/null; echo; echo "shipdesk stopped."; exit 0' INT TERM
echo "shipdesk is serving on http://127.0.0.1:8000 with a task worker beside it. Ctrl-C stops both."
wait -n $worker $web
kill $worker $web 2>/dev/null
wait
