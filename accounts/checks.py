"""`manage.py check --deploy`: production settings refuse the quick start's demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register("security", deploy=True)
def demo_mode_off_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEMO_MODE and not settings.DEBUG:
        return [
            Error(
                "DEMO_MODE=1 不得用于生产环境：演示账号的密码是公开的。",
                hint="生产环境请设置 DEMO_MODE=0，并停用已创建的演示账号（admin、anquan、shenji 等）。",
                id="accounts.E001",
            )
        ]
    return []
