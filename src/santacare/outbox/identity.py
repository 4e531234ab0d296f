"""How the desk's own mail is recognised: its Message-IDs and its loop header."""

import uuid

from django.conf import settings

LOOP_HEADER = "X-SantaCare-Loop"


def message_id_domain() -> str:
    configured = settings.MAILGATE_MESSAGE_ID_DOMAIN
    return configured or settings.SUPPORT_EMAIL.rpartition("@")[2] or "santacare.invalid"


def instance_name() -> str:
    return settings.MAILGATE_INSTANCE or message_id_domain()


def make_message_id() -> str:
    return f"<sc.{uuid.uuid4().hex}@{message_id_domain()}>"


def is_own_message_id(message_id: str) -> bool:
    value = message_id.strip().lower()
    return value.startswith("<sc.") and value.endswith(f"@{message_id_domain().lower()}>")
