"""Settings as a fresh process reads them from its environment.

Settings come from the environment when the settings module is imported, so a test of that
(SSO, LDAP, object storage, the PostgreSQL options) needs a new interpreter with the environment it
names. It imports only the settings module, as a server's first step does, and not the apps:
0.1 s a process, against 1.4 s for `manage.py shell` (which sets up every app and imports every model).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_printed(expression: str, *, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs `print(<expression>)`, with `settings` bound to django.conf.settings, in a new Python
    process whose environment is exactly `environment`. A setting that refuses its environment
    exits non-zero with the ImproperlyConfigured message on stderr."""
    code = (
        "import os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'minhang_plans.settings')\n"
        "from django.conf import settings\n"
        f"print({expression})\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
