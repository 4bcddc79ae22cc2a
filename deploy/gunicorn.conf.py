"""gunicorn settings for production, behind deploy/nginx.conf:

    gunicorn -c deploy/gunicorn.conf.py minhang_plans.wsgi

Sync workers are safe here only because nginx buffers whole requests and responses: a worker
is never held by a slow client, only by the app's own work.
"""

import os

# Loopback only: nginx is the sole client, and the app trusts the X-Forwarded-For it writes.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Two sync workers per two cores were as fast as four (docs/performance.md); more cores, more workers.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
# A worker silent this long is killed and its request gets a 500. Browser imports at the
# documented limit (IMPORT_MAX_ROWS) need the long end; nginx waits 130 s (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then, so memory one large import or export took is given back.
max_requests = 1000
max_requests_jitter = 100
# Header limits (nginx's are the first line); gunicorn's defaults, stated.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# X-Forwarded-Proto is honoured from nginx on this machine only.
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
