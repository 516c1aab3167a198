"""click's own UI strings, listed so the extractor puts them in ``messages.pot``.

click (8.x) prints these through ``gettext`` (``route_click_gettext`` in ``supportkit.i18n`` sends
them to our catalogs). Nothing imports this module at run time: it is read by the extractor
(``N_`` marks each msgid) and by ``tests/test_cli_localized.py``, which checks that each msgid
below still exists in the installed click, and that every ``_()``/``ngettext()`` string of
``CLICK_MODULES`` is either here or in ``NOT_SHOWN`` with the reason, so a click upgrade that
adds or renames a string fails loudly.

A few names click prints are not marked by click itself: the number types' names in
"'x' is not a valid integer range." and the option marker "required"; they are listed here
too, and ``supportkit.cli.common`` translates them when shown.
"""

from __future__ import annotations

from supportkit.i18n import N_, ngettext

MESSAGES = (
    # help pages
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"),
    N_("Show this message and exit."), N_("Show the version and exit."), N_("%(prog)s, version %(version)s"),
    N_("default: {default}"), N_("env var: {var}"), N_("required"),
    # usage errors
    N_("Error: {message}"), N_("Try '{command} {option}' for help."), N_("Aborted!"),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Missing command."),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"), N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"), N_("Option {name!r} does not take a value."),
    N_("Argument {name!r} takes {nargs} values."), N_("unknown error"),
    N_("Could not open file {filename!r}: {message}"),
    N_("Choose from:\n\t{choices}"), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("file"), N_("directory"), N_("path"),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("{name} {filename!r} is not executable."),
    N_("Shell completion is not supported for Bash versions older than 4.4."),
    N_("Couldn't detect Bash version, shell completion is not supported."),
    # names of click's number types (click.INT.name...), not marked by click
    N_("integer"), N_("integer range"), N_("float"), N_("float range"),
)
"""Every click string our commands can print (singular forms; the plural pairs follow)."""


def _plural_forms(count: int) -> tuple[str, ...]:
    """click's plural messages, marked for extraction (never called at run time)."""
    return (
        ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", count),
        ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", count),
        ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", count),
        ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", count),
    )


NOT_SHOWN = {
    "deprecated": "no supportkit command or option is deprecated",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "no command is deprecated",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "no option is deprecated",
    "Value must be an iterable.": "programming error (a bad default)",
    "Name '{name}' defined twice": "programming error in an option declaration",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "programming error",
    "Could not determine name for option with declarations {decls!r}": "programming error",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "programming error",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "programming error",
    "Invalid start character for option ({option})": "programming error",
    "Unknown standard stream '{name}'": "programming error",
    "Unknown color {colour!r}": "programming error",
    "Choice({choices})": "repr() for debugging",
    "(dynamic)": "no option has a callable default",
    "Do you want to continue?": "no command prompts",
    "Confirm the action without prompting.": "no confirmation option",
    "Repeat for confirmation": "no command prompts",
    "Error: The two entered values do not match.": "no command prompts",
    "Error: invalid input": "no command prompts",
    "Press any key to continue...": "no command pauses",
    "{value!r} is not a valid boolean. Recognized values: {states}": "no boolean-valued option",
    "{value!r} is not a valid UUID.": "no UUID option",
    "d": "progress bar ETA beyond a day (click._termui_impl, loaded late)",
    "{editor}: Editing failed": "no command opens an editor",
    "{editor}: Editing failed: {e}": "no command opens an editor",
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        "no option takes several values",
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        "no date option",
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."): "no tuple option",
}
"""click strings no supportkit command can print, with the reason (kept out of the catalogs)."""
