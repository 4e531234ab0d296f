"""Refusals with a code: what every service raises when a person can fix the cause.

Channels switch on `code`; people read `message`, worded from the code in the reader's language
when it is shown, so no view ever matches English message text.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from django.utils.functional import Promise


class CodedError(ValueError):
    """Subclasses name their code enum's texts in `texts`; `params` fill their placeholders."""

    texts: ClassVar[Mapping[Any, str | Promise]]

    def __init__(self, code: StrEnum, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        """What the person is told, in the active language."""
        text = str(self.texts[self.code])
        return text % self.params if self.params else text
