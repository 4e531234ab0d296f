"""The signature every delivery carries; docs/integrations.md shows the receiver's side."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-SantaCare-Signature"
TIMESTAMP_HEADER = "X-SantaCare-Timestamp"
EVENT_HEADER = "X-SantaCare-Event"
DELIVERY_HEADER = "X-SantaCare-Delivery"


def sign(secret: str, *, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, as the header carries it: "sha256=<hex>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()
