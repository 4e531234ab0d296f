# gunicorn settings for one web node: `gunicorn -c /opt/santacare/deploy/gunicorn.conf.py
# santacare.wsgi` (deploy/systemd/santacare-web@.service). docs/OPERATIONS.md explains each.
import os

from prometheus_client import multiprocess

# The unit's instance names the port: santacare-web@8001 listens on 127.0.0.1:8001.
bind = os.environ.get("SANTACARE_GUNICORN_BIND", "127.0.0.1:8001")
# Two cores: three sync workers per node (2 × cores + 1 spread over two nodes is too many).
workers = int(os.environ.get("SANTACARE_GUNICORN_WORKERS", "3"))
# Longer than the largest upload takes over a slow line; nginx buffers the request anyway.
timeout = 60
graceful_timeout = 30
# A worker is replaced after this many requests: a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The proxy's request id (nginx's $request_id) on every access log line, beside ours.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}i)s'
forwarded_allow_ips = "127.0.0.1"


def child_exit(server, worker):
    # Prometheus multiprocess mode: a dead worker's live gauges are dropped (counters stay).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
