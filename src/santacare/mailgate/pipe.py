"""`santacare mailgate` as an MTA sees it: an exit code per sysexits and one line on stderr.

Postfix's pipe (and Exim's) retries a delivery only on EX_TEMPFAIL and bounces on any other
failure, with the command's stderr quoted in the bounce. So everything that is not a definite,
permanent problem with the message itself (configuration, start-up, database, storage, bad
arguments from the MTA recipe, a bug) exits 75 and the MTA keeps the mail; only an oversized
message exits 65. Whatever Python would print to stderr (tracebacks, usage, warnings) goes to
the project's log instead: it names paths and hosts, and the MTA stores it in its queue.

Nothing here may need the settings at import: they are what may be broken.
"""

import io
import logging
import os
import sys
import syslog
import traceback
from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line
from django.db import DatabaseError

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

# The MTA quotes this in its log and, after its retry limit, in the bounce to the sender.
TEMPORARY = "temporary failure, will retry"

logger = logging.getLogger("santacare.mailgate.pipe")


class MessageTooLarge(Exception):
    """The one permanent failure: the MTA bounces the message with this text."""


def run(argv: list[str]) -> NoReturn:
    mta_stderr, captured = sys.stderr, io.StringIO()
    sys.stderr = captured
    try:
        execute_from_command_line(argv)
    except MessageTooLarge as error:
        code, line = EX_DATAERR, str(error)
    except SystemExit as exit_:
        if exit_.code in (None, EX_OK):
            code, line = EX_OK, ""
        else:
            # argparse's usage errors, a CommandError: the cause is what they printed.
            code, line = EX_TEMPFAIL, f"{TEMPORARY}: bad arguments or start-up (exit {exit_.code})"
            _log(f"santacare mailgate exited {exit_.code}:\n{captured.getvalue()}")
    except BaseException as error:
        code, line = EX_TEMPFAIL, f"{TEMPORARY}: {_cause(error)} ({type(error).__name__})"
        _log("santacare mailgate failed:\n" + "".join(traceback.format_exception(error)))
    else:
        code, line = EX_OK, ""
    finally:
        sys.stderr = mta_stderr
    if line:
        print(line, file=sys.stderr)
    sys.exit(code)


def _cause(error: BaseException) -> str:
    if isinstance(error, ImproperlyConfigured):
        return "configuration error"
    if isinstance(error, DatabaseError):
        return "database unavailable"
    if isinstance(error, OSError):
        return "storage or system error"
    return "unexpected error"


def _log(text: str) -> None:
    """Write to the project's log: SANTACARE_LOG_FILE, else syslog's mail facility (next to the
    MTA's own lines). Works before the settings load, because a broken start-up is logged too."""
    file_handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    if file_handlers:
        logger.error("%s", text.rstrip())
        return
    path = os.environ.get("SANTACARE_LOG_FILE", "")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as log_file:
                log_file.write(text.rstrip() + "\n")
            return
        except OSError:
            pass  # fall back to syslog: losing the traceback would hide the cause
    syslog.openlog("santacare-mailgate", syslog.LOG_PID, syslog.LOG_MAIL)
    for text_line in text.rstrip().splitlines():
        syslog.syslog(syslog.LOG_ERR, text_line)
