"""R9: does the customer's mail say a hardware fault is suspected?"""

import re

_HARDWARE_FAULT_RE = re.compile(
    r"laitevika|rautavika|hardware (?:fault|failure)|vaihtolaite|varaosa|"
    r"replacement (?:part|unit|device)|\bRMA\b|hajonn|\brikki\b|\bbroken\b",
    re.I,
)


def is_hardware_fault(text: str) -> bool:
    return bool(_HARDWARE_FAULT_RE.search(text[:50_000]))
