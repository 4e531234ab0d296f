"""What a customer's mail says: the serial of one of their devices (R3), the delivery address
and contact for a replacement part (R9)."""

import re
from collections.abc import Iterable

from santacare.customers.models import Contact
from santacare.installbase.models import Device

# Serial numbers look like FOC2233X0AB or JN11AB2C3DEF: letters and digits together.
_SERIAL_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9\-/.]{4,40}[A-Za-z0-9])")


def serial_candidates(text: str) -> list[str]:
    seen: list[str] = []
    for match in _SERIAL_CANDIDATE_RE.finditer(text[:50_000]):
        token = match[1].upper()
        if token.startswith("SC-") or token in seen:
            continue
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            seen.append(token)
        if len(seen) >= 200:
            break
    return seen


def find_device(
    text: str, *, contact: Contact | None, devices: "BatchDevices | None" = None
) -> Device | None:
    """R3 for email: the first serial in the text that is in the sender's own install base."""
    if contact is None:
        return None
    candidates = serial_candidates(text)
    if not candidates:
        return None
    if devices is not None and devices.covers(contact.customer_id, candidates):
        found = devices.found(contact.customer_id)
    else:
        found = {
            device.serial_number: device
            for device in Device.objects.filter(
                customer=contact.customer_id, serial_number__in=candidates
            ).select_related(*DEVICE_RELATED)
        }
    return next((found[c] for c in candidates if c in found), None)


# What intake reads of a device (the install-base snapshot, R1's entitlement): fetched with it.
DEVICE_RELATED = ("vendor", "customer", "site", "contract", "contract__service_level")


class BatchDevices:
    """The devices a batch's mails name, of their senders' customers, read in one statement."""

    def __init__(self, texts: Iterable[tuple[int, str]]) -> None:
        wanted = {(customer_id, c) for customer_id, text in texts for c in serial_candidates(text)}
        self._asked = wanted
        self._found: dict[int, dict[str, Device]] = {}
        if not wanted:
            return
        devices = Device.objects.filter(
            customer__in={customer_id for customer_id, _c in wanted},
            serial_number__in={serial for _id, serial in wanted},
        ).select_related(*DEVICE_RELATED)
        for device in devices:
            self._found.setdefault(device.customer_id, {})[device.serial_number] = device

    def covers(self, customer_id: int, candidates: list[str]) -> bool:
        return all((customer_id, c) in self._asked for c in candidates)

    def found(self, customer_id: int) -> dict[str, Device]:
        return self._found.get(customer_id, {})


_LABEL_RE = re.compile(r"^\s*([\w äöåÄÖÅ-]{3,40}?)\s*:\s*(.*)$")
_ADDRESS_LABELS = ("toimitusosoite", "delivery address", "leveransadress", "osoite")
_CONTACT_LABELS = (
    "yhteyshenkilö",
    "toimituksen yhteyshenkilö",
    "contact person",
    "delivery contact",
    "kontaktperson",
)


def delivery_details(text: str) -> dict[str, str]:
    """R9: "Toimitusosoite:" / "Delivery address:" and "Yhteyshenkilö:" / "Contact person:"
    as the customer wrote them; an address may go on over the next lines."""
    details: dict[str, str] = {}
    lines = strip_quoted_lines(text)
    for index, line in enumerate(lines):
        match = _LABEL_RE.match(line)
        if not match:
            continue
        label, value = match[1].strip().lower(), match[2].strip()
        if label in _ADDRESS_LABELS and "address" not in details:
            parts = [value] if value else []
            for following in lines[index + 1 : index + 5]:
                if not following.strip() or _LABEL_RE.match(following):
                    break
                parts.append(following.strip())
            if parts:
                details["address"] = "\n".join(parts)
        elif label in _CONTACT_LABELS and value and "contact" not in details:
            details["contact"] = value
    return details


def strip_quoted_lines(text: str) -> list[str]:
    return [line for line in text.splitlines()[:2000] if not line.lstrip().startswith(">")]
