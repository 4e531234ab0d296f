"""API tokens: issued, listed, revoked and checked here, whoever asks (command, portal, desk, API).

A token is shown once, when it is issued; only its SHA-256 is stored. It acts as one technical
contact (R11: only while they may open tickets) or one agent, until it expires or is revoked.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from santacare.accounts.models import User
from santacare.core.time import now

from .models import ApiToken, Contact

TOKEN_PREFIX = "sct_"  # noqa: S105 - a visible prefix, so leaked keys are easy to find
# Longer than any key we issue; anything longer is refused before it is hashed.
MAX_KEY_LENGTH = 200
# What the portal and the desk offer; the command may also issue a token that never expires.
LIFETIME_DAYS = (30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90
LAST_USED_STEP = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    *,
    name: str,
    contact: Contact | None = None,
    user: User | None = None,
    lifetime: timedelta | None = timedelta(days=DEFAULT_LIFETIME_DAYS),
) -> tuple[ApiToken, str]:
    """Create a token for a contact or an agent; the raw key is returned once, never stored.

    `lifetime=None` issues a token that never expires (the command's `--never-expires`).
    """
    if (contact is None) == (user is None):
        raise ValueError("A token acts as exactly one contact or one agent.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:200],
        key_hash=hash_token(raw),
        key_prefix=raw[:12],
        contact=contact,
        user=user,
        expires_at=now() + lifetime if lifetime is not None else None,
    )
    return token, raw


def _live(moment: datetime) -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=moment))


def tokens_of(*, contact: Contact | None = None, user: User | None = None) -> QuerySet[ApiToken]:
    """One person's tokens, the live ones first and the newest first within them."""
    if contact is not None:
        tokens = ApiToken.objects.filter(contact=contact)
    elif user is not None:
        tokens = ApiToken.objects.filter(user=user)
    else:
        return ApiToken.objects.none()
    return tokens.order_by("revoked_at", "-created_at", "-id")


def is_live(token: ApiToken, *, moment: datetime | None = None) -> bool:
    moment = moment or now()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > moment)


def revoke_token(
    token_id: int, *, contact: Contact | None = None, user: User | None = None
) -> ApiToken | None:
    """Revoke one of the person's own tokens; None when they have no such token.

    Revoking twice keeps the first time; someone else's token is "no such token", so ids of
    other people's tokens tell nothing.
    """
    token = tokens_of(contact=contact, user=user).filter(pk=token_id).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_for_key(raw: str) -> ApiToken | None:
    """The live token of a presented key, with its owner loaded; None for anything else.

    R11: a contact who is no longer a technical contact (or whose company left) loses API
    access with the portal; an agent's token stops working when they stop being an agent.
    """
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    moment = now()
    token = (
        ApiToken.objects.select_related("contact__customer", "user")
        .filter(_live(moment), key_hash=hash_token(raw))
        .first()
    )
    if token is None:
        return None
    if token.contact and not token.contact.may_open_tickets:
        return None
    if token.user and not token.user.is_agent:
        return None
    # "Last used" is for an administrator judging whether a token is still in use: to the
    # minute is plenty, and a write (and its commit) on every API request is not free.
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
        token.last_used_at = moment
    return token
