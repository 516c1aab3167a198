"""One exception tree for every expected failure.

Each error renders as ``Error: <what> (<where>). <what to do next>`` and exits 1
(click prints it, no traceback). Usage errors stay click's own (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click


class SupportkitError(click.ClickException):
    """Base of every expected failure supportkit reports to a user."""

    exit_code = 1

    def __init__(self, what: str, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        message = what
        if where:
            message += f" ({where})"
        message = message if message.endswith((".", "!", "?")) else message + "."
        if hint:
            message += f" {hint}"
        super().__init__(message)


class InputError(SupportkitError):
    """The text, file or stream given to a command cannot be used."""


class MissingValuesError(InputError):
    """Required template variables were not given: a usage error (exit 2) that names them all."""

    exit_code = 2

    def __init__(self, names: list[str], where: str | None = None, hint: str | None = None) -> None:
        self.names = names
        super().__init__(f"missing required variable(s): {', '.join(names)}", where, hint)


class ConfigError(SupportkitError):
    """The configuration file or an environment setting is invalid."""


class UnknownLocaleError(SupportkitError):
    """A locale code that supportkit does not know or cannot serve."""

    def __init__(self, code: str, where: str | None = None) -> None:
        self.code = code
        super().__init__(
            f"unknown locale {code!r}",
            where,
            "Use a code such as zh, en, es, ru or fr (regional forms like zh-TW or es-419 fall back).",
        )


@dataclass(frozen=True)
class Problem:
    """One finding in a file, printed as ``path:line: locale: message``."""

    path: str
    line: int
    locale: str
    message: str
    severity: str = "error"
    check: str = ""
    template: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.locale or '-'}: {self.message}"


class ValidationError(SupportkitError):
    """A set of files failed validation; carries every problem found."""

    def __init__(self, problems: list[Problem], what: str = "invalid files") -> None:
        self.problems = problems
        first = problems[0] if problems else None
        where = f"{len(problems)} problem(s); first at {first.path}:{first.line}" if first else None
        super().__init__(what, where, "Fix the lines listed above and run again.")

    def show(self, file: Any = None) -> None:
        for problem in self.problems:
            click.echo(str(problem), err=True)
        super().show(file)


class TemplateError(SupportkitError):
    """A template cannot be found, selected or rendered.

    ``line`` is the line of the template text the error is on, when known; ``where`` then ends
    with it ("replies/x.yaml: fr line 3").
    """

    def __init__(self, what: str, where: str | None = None, hint: str | None = None, *,
                 line: int | None = None) -> None:
        self.line = line
        if line is not None:
            where = f"{where or ''} line {line}".strip()
        super().__init__(what, where, hint)


class TemplateBudgetError(TemplateError):
    """A template render went past its budget (steps, value size, integer size): stopped before it
    could hang or exhaust memory. The limits are in ``supportkit.rendering.budget``."""


class ModelError(SupportkitError):
    """A translation model is missing, invalid or failed to load."""


class BatchError(SupportkitError):
    """A batch run cannot start or continue."""


class CatalogError(SupportkitError):
    """A gettext catalog cannot be extracted, read or compiled."""


class ReportError(SupportkitError):
    """A report cannot be made from the export, or cannot be written."""
