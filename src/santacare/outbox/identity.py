"""How the desk's own mail is recognised: its Message-IDs and its loop header."""

import uuid

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

LOOP_HEADER = "X-SantaCare-Loop"


def message_id_domain() -> str:
    configured = settings.MAILGATE_MESSAGE_ID_DOMAIN
    return configured or settings.SUPPORT_EMAIL.rpartition("@")[2] or "santacare.invalid"


def instance_name() -> str:
    return settings.MAILGATE_INSTANCE or message_id_domain()


def _loop_token() -> str:
    return salted_hmac("santacare.outbox.loop", instance_name()).hexdigest()[:32]


def loop_header_value() -> str:
    """Our instance name and a token computed from the secret key. The name alone is public
    (the support address's domain): a stranger writing it would make a customer's real mail
    look like ours and be ignored. Whoever received our mail can copy the token, but only into
    their own mail."""
    return f"{instance_name()} {_loop_token()}"


def is_own_loop_header(value: str) -> bool:
    name, _space, token = value.strip().rpartition(" ")
    return name.lower() == instance_name().lower() and constant_time_compare(token, _loop_token())


def make_message_id() -> str:
    return f"<sc.{uuid.uuid4().hex}@{message_id_domain()}>"


def is_own_message_id(message_id: str) -> bool:
    value = message_id.strip().lower()
    return value.startswith("<sc.") and value.endswith(f"@{message_id_domain().lower()}>")
