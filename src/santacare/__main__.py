"""The `santacare` console script: Django's management commands for this project."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line

from santacare.mailgate import pipe


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santacare.settings")
    if sys.argv[1:2] == ["mailgate"]:
        # An MTA runs this one: its exit codes and stderr are the MTA's (mailgate/pipe.py).
        pipe.run(sys.argv)
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # Meant for the operator (a missing SECRET_KEY, running as root): the message, no trace.
        sys.exit(f"santacare: {error}")


if __name__ == "__main__":
    main()
