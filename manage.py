#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Load the settings first: Django would otherwise swallow a configuration
        # error for some commands and fail later with a misleading one
        # ("Models aren't loaded yet" for makemigrations without SECRET_KEY).
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.exit(
            f"Configuration error: {error}\n"
            "Set it in the environment (see .env.example), or run with DEBUG=1 on a development machine."
        )
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
