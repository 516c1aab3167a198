"""The template library: ``replies/*.yaml`` loaded and validated into typed objects.

One YAML file per template, every locale inside it (format in the README). Loading
checks the structure and reports every problem as ``path:line: locale: message``;
the deeper lint rules (placeholders, plurals, punctuation...) live in ``checks``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.cache import UsedEntries, cache_file, cache_key, check_plain
from supportkit.errors import N_, N_plural, Plural, Problem, TemplateError, Text, ValidationError, quoted
from supportkit.languages import SUPPORTED_LANGUAGES, LocaleChoice, choose_locale
from supportkit.yamlsource import Located, YamlProblem, load_yaml

CUSTOMER_INTENTS: tuple[str, ...] = (
    "contact_support", "slow_response", "tx_pending", "deposit_missing", "forgot_password",
    "wallet_recovery", "switch_phone", "swap_tokens", "frozen_assets", "scam_report", "privacy",
    "complaint", "gas_fee", "token_missing", "secret_exposed", "unauthorized_transfer",
    "token_approval", "investment_scam", "address_poisoning", "product_question", "greeting",
    "thanks", "other",
)
KINDS = ("reply", "tutorial")
STATUSES = ("approved", "draft")
CHANNELS = ("chat", "email")
TEMPLATE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
VARIABLE_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
LOCALE_KEY_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")

_TOP_KEYS = {"id", "kind", "intents", "channel", "category", "updated", "variables", "examples",
             "faq", "checks", "locales", "tags"}
_LOCALE_KEYS = {"subject", "body", "source", "status", "note"}
_VARIABLE_KEYS = {"default", "description", "example", "type", "required", "cases"}
VARIABLE_TYPES = ("text", "number", "amount", "date", "url")


def source_digest(subject: str, body: str) -> str:
    """Short fingerprint of a source text; translations record it to detect staleness."""
    import hashlib

    digest = hashlib.sha256(f"{subject}\n\x1e\n{body}".encode()).hexdigest()
    return digest[:12]


@dataclass(frozen=True)
class Variable:
    """A declared template variable and the value used when the caller gives none."""

    name: str
    default: str | dict[str, str] = ""
    description: str = ""
    example: str = ""
    type: str = "text"
    required: bool = False
    """True when the template cannot be sent without a real value (``supportkit render`` refuses it missing)."""
    cases: tuple[str, ...] = ()
    """More values beside ``example`` that switch the text onto another branch (``check`` renders each)."""

    def default_for(self, locale: str) -> str:
        """The fallback value in ``locale`` (a per-locale mapping falls back to its ``en``)."""
        if isinstance(self.default, dict):
            return self.default.get(locale, self.default.get("en", ""))
        return self.default


@dataclass(frozen=True)
class Translation:
    """One locale's subject and body of a template."""

    locale: str
    subject: str
    body: str
    source: str | None = None
    status: str = "approved"
    note: str = ""
    line: int = 1
    subject_line: int = 1
    body_line: int = 1

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class Template:
    """A reply or tutorial, with every locale it exists in."""

    id: str
    kind: str
    path: Path
    intents: tuple[str, ...] = ()
    channel: str = "chat"
    category: str = "general"
    updated: _dt.date | None = None
    variables: dict[str, Variable] = field(default_factory=dict)
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    faq: dict[str, str] = field(default_factory=dict)
    disabled_checks: tuple[str, ...] = ()
    locales: dict[str, Translation] = field(default_factory=dict)
    source_locale: str = "en"
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """Unique name in the library: ``tx_pending`` for a reply, ``tutorials/swap_tokens`` for a tutorial."""
        return f"tutorials/{self.id}" if self.kind == "tutorial" else self.id

    @property
    def source(self) -> Translation | None:
        """The source-locale text every translation is made from."""
        return self.locales.get(self.source_locale)

    def source_digest(self) -> str | None:
        src = self.source
        return source_digest(src.subject, src.body) if src else None

    def is_stale(self, locale: str) -> bool:
        """True when ``locale`` was translated from an older source text."""
        translation = self.locales.get(locale)
        if translation is None or locale == self.source_locale:
            return False
        return translation.source != self.source_digest()

    def translation_state(self, locale: str) -> str:
        """One of ``ok``, ``missing``, ``stale``, ``draft`` for status tables."""
        translation = self.locales.get(locale)
        if translation is None:
            return "missing"
        if translation.is_draft:
            return "draft"
        if self.is_stale(locale):
            return "stale"
        return "ok"

    def usable_locales(self, allow_drafts: bool = False) -> tuple[str, ...]:
        """Locales a reply may be rendered in (drafts only when allowed)."""
        return tuple(code for code, t in self.locales.items() if allow_drafts or not t.is_draft)

    def title(self, locale: str) -> str:
        """FAQ question, else subject, in ``locale`` (or the source locale)."""
        if locale in self.faq:
            return self.faq[locale]
        translation = self.locales.get(locale) or self.source
        return translation.subject if translation else self.id


@dataclass(eq=False)
class Library:
    """All templates found in a folder, and the problems met while loading it.

    ``broken`` has one problem (the first error) per template file left out of ``templates``:
    a file that could not be read as a template at all, a duplicate id, a link to outside the
    library, or (in ``without_broken``) a template with any error.
    """

    root: Path
    templates: dict[str, Template] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[Template]:
        return iter(sorted(self.templates.values(), key=lambda t: (t.kind, t.id)))

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, template_id: str, kind: str | None = None) -> Template:
        """The template called ``template_id`` (a ref, or an id of ``kind``); a clear error otherwise."""
        ref = f"tutorials/{template_id}" if kind == "tutorial" and not template_id.startswith("tutorials/") else template_id
        found = self.templates.get(ref)
        if found is not None and (kind is None or found.kind == kind):
            return found
        import difflib

        names = [t.id if kind else t.ref for t in self if kind is None or t.kind == kind]
        close = difflib.get_close_matches(str(template_id), names, n=3)
        raise TemplateError(N_("no template {template!r}"), str(self.root),
                            N_("Did you mean {close}?") if close else N_("Run `supportkit templates list` to see them."),
                            template=quoted(template_id, 48), close=", ".join(close))

    def for_intent(self, intent: str, kind: str = "reply") -> Template | None:
        """The template that answers ``intent`` (replies before tutorials)."""
        candidates = [t for t in self if intent in t.intents]
        candidates.sort(key=lambda t: (t.kind != kind, t.id != intent, t.id))
        return candidates[0] if candidates else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_library(root: Path, source_locale: str = "en", strict: bool = True) -> Library:
    """Load every ``*.yaml`` in ``root``; with ``strict``, raise one ValidationError listing all problems."""
    root = Path(root)
    library = Library(root=root)
    if not root.is_dir():
        raise TemplateError(N_("template folder not found: {folder}"), None,
                            N_("Set replies_dir in supportkit.toml or pass --replies DIR."), folder=str(root))
    files = _template_files(root)
    if (root / "tutorials").is_dir():
        files += _template_files(root / "tutorials")
    paths, outside = _inside(root, files)
    library.problems.extend(outside)
    library.broken.extend(outside)
    if not paths and not outside:
        raise TemplateError(N_("no templates (*.yaml) in {folder}"), None,
                            N_("Add template files or point --replies elsewhere."), folder=str(root))
    seen: dict[str, Path] = {}
    cache = _ParseCache(root, source_locale)
    for path in paths:
        template, problems = cache.load(path)
        library.problems.extend(problems)
        if template is None:
            library.broken.extend([p for p in problems if p.severity == "error"][:1])
            continue
        if template.ref in seen:
            duplicate = Problem.of(str(path), template.lines.get("id", 1), "",
                                   N_("duplicate template id {id!r} (also in {other})"),
                                   check="duplicate_id", template=template.id, id=template.id,
                                   other=seen[template.ref].name)
            library.problems.append(duplicate)
            library.broken.append(duplicate)
            continue
        seen[template.ref] = path
        library.templates[template.ref] = template
    cache.save(keep=8)  # one file per library in use
    if strict and library.errors:
        raise ValidationError(library.errors, N_plural("{count} problem in templates", "{count} problems in templates",
                                                       len(library.errors)))
    return library


def without_broken(library: Library) -> Library:
    """``library`` without the templates whose file has an error, for agents: one broken file
    disables its own template, never the rest (``broken`` says which and why)."""
    failing: dict[str, Problem] = {}
    for problem in library.errors:
        failing.setdefault(problem.path, problem)
    kept = {ref: t for ref, t in library.templates.items() if str(t.path) not in failing}
    if len(kept) == len(library.templates):
        return library
    broken = list(library.broken)
    listed = {p.path for p in broken}
    broken.extend(p for path, p in failing.items() if path not in listed)
    return Library(root=library.root, templates=kept, problems=library.problems, broken=broken)


def broken_ref(problem: Problem) -> str:
    """The ref a broken file's template would have: its file name, under ``tutorials/`` there."""
    path = Path(problem.path)
    return f"tutorials/{path.stem}" if path.parent.name == "tutorials" else path.stem


def _template_files(folder: Path) -> list[tuple[Path, bool]]:
    """The ``*.yaml``/``*.yml`` files of ``folder`` by name, each with whether it is a symbolic link
    (one directory read, no stat per file)."""
    import os

    linked = folder.is_symlink()  # tutorials/ linked in: every file in it comes from elsewhere
    with os.scandir(folder) as entries:
        found = sorted((e.name, linked or e.is_symlink()) for e in entries
                       if e.name.endswith((".yaml", ".yml")) and e.is_file())
    return [(folder / name, link) for name, link in found]


def _inside(root: Path, files: list[tuple[Path, bool]]) -> tuple[list[Path], list[Problem]]:
    """The template files that stay inside ``root``; a link to a file elsewhere is a problem, never read.

    A template linked in from outside the library would be rendered, linted and published on the
    help-center site as if a writer had put it there.
    """
    inside: list[Path] = []
    problems: list[Problem] = []
    top = None
    for path, link in files:
        if link:
            top = top or root.resolve()
            if not path.resolve().is_relative_to(top):
                problems.append(Problem.of(str(path), 1, "", N_("template file is a link to a file outside the "
                                                                "library; refused (copy the file into the library "
                                                                "instead)"), check="schema"))
                continue
        inside.append(path)
    return inside, problems



PARSE_CACHE_FORMAT = 2
"""Layout of the parsed-template cache (bumped when it changes)."""

class _ParseCache(UsedEntries):
    """Parsed templates kept between runs, per file, keyed by modification time and size.

    Parsing YAML dominates a cold start and large-library builds; a file that did not
    change is not parsed again. Entries are plain data (``template_to_data``), keyed by the
    code that parses (this module, ``yamlsource``, ``errors``, PyYAML): a changed loader
    never reads what an older one stored. Rewriting 5,000 parsed templates costs tens of ms,
    parsing a changed file again a few: after one edit the file is parsed again next time
    until more changes pile up (``UsedEntries.save``).
    """

    def __init__(self, root: Path, source_locale: str) -> None:
        import supportkit.errors
        import supportkit.yamlsource

        code = (__file__, supportkit.yamlsource.__file__, supportkit.errors.__file__)
        key = cache_key(PARSE_CACHE_FORMAT, str(root.resolve()), source_locale, dependencies=("yaml",), code=code)
        super().__init__(cache_file("templates", key), key)
        self.source_locale = source_locale

    def load(self, path: Path) -> tuple[Template | None, list[Problem]]:
        try:
            info = path.stat()
        except OSError:
            return load_template(path, self.source_locale)
        stamp = (info.st_mtime_ns, info.st_size)
        entry = self.entries.get(str(path))
        if type(entry) is tuple and len(entry) == 3 and (entry[0], entry[1]) == stamp:
            try:
                result = _result_from_data(entry[2])
            except (TypeError, ValueError, KeyError, IndexError):
                pass  # damaged: parsed again below
            else:
                self.used[str(path)] = entry
                return result
        result = load_template(path, self.source_locale)
        data = _result_to_data(result)
        try:
            check_plain(data)  # a YAML key that is a date, say: that file is parsed every time
        except ValueError:
            return result
        self.used[str(path)] = (*stamp, data)
        self.misses += 1
        return result


# Plain data for the parse cache: tuples in field order, read back field by field (a cache
# file is data anyone able to write the folder could have planted, never objects). A test
# proves the round trip over the bundled library and every bad fixture; a new field must be
# added on both sides.


def template_to_data(template: Template) -> tuple[Any, ...]:
    """``template`` as plain data (``template_from_data`` reads it back)."""
    updated = template.updated
    return (
        template.id, template.kind, str(template.path), template.intents, template.channel, template.category,
        None if updated is None else (type(updated) is _dt.datetime, updated.isoformat()),
        {name: (v.name, v.default, v.description, v.example, v.type, v.required, v.cases)
         for name, v in template.variables.items()},
        template.examples, template.faq, template.disabled_checks,
        {code: (t.locale, t.subject, t.body, t.source, t.status, t.note, t.line, t.subject_line, t.body_line)
         for code, t in template.locales.items()},
        template.source_locale, template.lines,
    )


def template_from_data(data: tuple[Any, ...]) -> Template:
    """The template ``template_to_data`` gave; malformed data raises TypeError or ValueError."""
    (template_id, kind, path, intents, channel, category, updated, variables, examples, faq, disabled,
     locales, source_locale, lines) = data
    if updated is not None:
        is_datetime, text = updated
        updated = (_dt.datetime if is_datetime else _dt.date).fromisoformat(text)
    return Template(
        id=template_id, kind=kind, path=Path(path), intents=intents, channel=channel, category=category,
        updated=updated, variables={name: Variable(*v) for name, v in variables.items()}, examples=examples,
        faq=faq, disabled_checks=disabled, locales={code: Translation(*t) for code, t in locales.items()},
        source_locale=source_locale, lines=lines,
    )


def problem_to_data(problem: Problem) -> tuple[Any, ...]:
    """``problem`` as plain data (``problem_from_data`` reads it back)."""
    return (problem.path, problem.line, problem.locale, problem.message, problem.severity, problem.check,
            problem.template, [problem.text.singular, problem.text.plural, problem.text.count]
            if isinstance(problem.text, Plural) else problem.text, [list(pair) for pair in problem.params])


def problem_from_data(data: tuple[Any, ...]) -> Problem:
    """The problem ``problem_to_data`` gave; malformed data raises TypeError."""
    path, line, locale, message, severity, check, template, text, params = data
    return Problem(path, line, locale, message, severity, check, template,
                   Plural(*text) if isinstance(text, (list, tuple)) else text,
                   tuple((str(key), value) for key, value in params))


def _result_to_data(result: tuple[Template | None, list[Problem]]) -> tuple[Any, ...]:
    template, problems = result
    return (None if template is None else template_to_data(template), [problem_to_data(p) for p in problems])


def _result_from_data(data: tuple[Any, ...]) -> tuple[Template | None, list[Problem]]:
    template, problems = data
    return (None if template is None else template_from_data(template), [problem_from_data(p) for p in problems])


def read_text_file(path: Path) -> str:
    """A template file as text; undecodable or binary files raise YamlProblem."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise YamlProblem(1, N_("file holds NUL bytes (binary file?)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(line, N_("file is not valid UTF-8")) from None


def load_template(path: Path, source_locale: str = "en") -> tuple[Template | None, list[Problem]]:
    """Parse and validate one template file; returns the template (or None) and its problems."""
    where = str(path)
    problems: list[Problem] = []

    def problem(line: int, text: Text, locale: str = "", check: str = "schema", severity: str = "error",
                **params: Any) -> None:
        problems.append(Problem.of(where, line, locale, text, severity=severity, check=check, template=path.stem,
                                   **params))

    try:
        data = load_yaml(read_text_file(path))
    except YamlProblem as exc:
        problems.append(exc.problem(where, check="yaml", template=path.stem))
        return None, problems
    except OSError as exc:
        problem(1, N_("cannot read file: {reason}"), check="yaml", reason=exc.strerror)
        return None, problems
    if not isinstance(data, Located):
        problem(1, N_("a template file must be a mapping (id, kind, locales, ...)"))
        return None, problems

    for key in data:
        if key not in _TOP_KEYS:
            problem(data.line_of(key), N_("unknown key {key!r} (known: {known})"), key=key, known=", ".join(sorted(_TOP_KEYS)))

    template_id = data.get("id")
    if not isinstance(template_id, str) or not TEMPLATE_ID_RE.match(template_id):
        problem(data.line_of("id"), N_("id must be lower-case letters, digits and _ (e.g. tx_pending)"))
        template_id = path.stem
    elif template_id != path.stem:
        problem(data.line_of("id"), N_("id {id!r} does not match the file name {name!r}"), id=template_id, name=path.name)

    in_tutorials = path.parent.name == "tutorials"
    kind = data.get("kind", "tutorial" if in_tutorials else "reply")
    if kind not in KINDS:
        problem(data.line_of("kind"), N_("kind must be one of {choices}, not {kind!r}"), choices=", ".join(KINDS), kind=kind)
        kind = "reply"
    elif (kind == "tutorial") != in_tutorials:
        problem(data.line_of("kind"), N_("tutorials live in replies/tutorials/, replies directly in replies/"))

    intents = _string_list(data.get("intents", []), data.line_of("intents"), "intents", problem)
    for intent in intents:
        if intent not in CUSTOMER_INTENTS:
            problem(data.line_of("intents"), N_("unknown intent {intent!r} (known: {known})"), intent=intent,
                    known=", ".join(CUSTOMER_INTENTS))

    channel = data.get("channel", "chat")
    if channel not in CHANNELS:
        problem(data.line_of("channel"), N_("channel must be one of {choices}"), choices=", ".join(CHANNELS))
        channel = "chat"

    category = data.get("category", "general")
    if not isinstance(category, str) or not TEMPLATE_ID_RE.match(category):
        problem(data.line_of("category"), N_("category must be an id such as transfers or security"))
        category = "general"

    updated = data.get("updated")
    if updated is not None and not isinstance(updated, _dt.date):
        problem(data.line_of("updated"), N_("updated must be a date (YYYY-MM-DD)"))
        updated = None

    variables = _variables(data.get("variables", {}), data.line_of("variables"), problem)
    examples = _per_locale_lists(data.get("examples", {}), data.line_of("examples"), "examples", problem)
    faq = _per_locale_strings(data.get("faq", {}), data.line_of("faq"), "faq", problem)

    disabled: tuple[str, ...] = ()
    checks = data.get("checks", {})
    if checks:
        if not isinstance(checks, Located) or set(checks) - {"disable"}:
            problem(data.line_of("checks"), N_("checks takes one key, disable: [rule, ...]"))
        else:
            disabled = tuple(_string_list(checks.get("disable", []), checks.line_of("disable"), "checks.disable",
                                          problem))

    locales: dict[str, Translation] = {}
    raw_locales = data.get("locales")
    if not isinstance(raw_locales, Located) or not raw_locales:
        problem(data.line_of("locales"), N_("locales must map locale codes to subject and body"))
    else:
        for code, entry in raw_locales.items():
            line = raw_locales.line_of(code)
            if not LOCALE_KEY_RE.match(code):
                problem(line, N_("invalid locale code {code!r}"), locale=str(code)[:20], code=code)
                continue
            translation = _translation(code, entry, line, problem)
            if translation is not None:
                locales[code] = translation
        if source_locale not in locales:
            problem(data.line_of("locales"), N_("the source locale {code!r} is missing"), locale=source_locale,
                code=source_locale)
        for code, translation in locales.items():
            if code != source_locale and not translation.source:
                problem(translation.line, N_("translation does not record its source (add source: <digest>;"
                                           " `supportkit stamp` writes it)"), locale=code, check="source_recorded")

    if problems and any(p.severity == "error" for p in problems) and not locales:
        return None, problems
    template = Template(
        id=template_id, kind=kind, path=path, intents=tuple(intents), channel=channel, category=category,
        updated=updated, variables=variables, examples=examples, faq=faq, disabled_checks=tuple(disabled),
        locales=locales, source_locale=source_locale,
        lines={key: data.line_of(key) for key in data},
    )
    return template, problems


def _string_list(value: Any, line: int, name: str, problem: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problem(line, N_("{name} must be a list of non-empty strings"), name=name)
        return []
    return list(value)


def _per_locale_lists(value: Any, line: int, name: str, problem: Any) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if not isinstance(value, Located):
        problem(line, N_("{name} must map locale codes to lists of phrases"), name=name)
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for code, items in value.items():
        if not LOCALE_KEY_RE.match(code):
            problem(value.line_of(code), N_("invalid locale code {code!r} in {name}"), locale=str(code)[:20],
                    code=code, name=name)
            continue
        result[code] = tuple(_string_list(items, value.line_of(code), f"{name}.{code}", problem))
    return result


def _per_locale_strings(value: Any, line: int, name: str, problem: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, Located):
        problem(line, N_("{name} must map locale codes to text"), name=name)
        return {}
    result: dict[str, str] = {}
    for code, text in value.items():
        if not LOCALE_KEY_RE.match(code):
            problem(value.line_of(code), N_("invalid locale code {code!r} in {name}"), locale=str(code)[:20],
                    code=code, name=name)
        elif not isinstance(text, str) or not text.strip():
            problem(value.line_of(code), N_("{name} must be non-empty text"), locale=code, name=name)
        else:
            result[code] = text.strip()
    return result


def _variables(value: Any, line: int, problem: Any) -> dict[str, Variable]:
    if not value:
        return {}
    if not isinstance(value, Located):
        problem(line, N_("variables must map names to {{default, description, example, type}}"))
        return {}
    result: dict[str, Variable] = {}
    for name, spec in value.items():
        vline = value.line_of(name)
        if not VARIABLE_RE.match(name) or name in {"brand", "locale", "secret_found", "urgent"}:
            problem(vline, N_("invalid variable name {name!r} (lower_case; brand, locale, secret_found and urgent are "
                                "reserved)"), name=name)
            continue
        if spec is None:
            spec = Located()
        if not isinstance(spec, Located):
            problem(vline, N_("variable {name!r} must be a mapping (default, description, example, type)"), name=name)
            continue
        unknown = set(spec) - _VARIABLE_KEYS
        if unknown:
            problem(vline, N_plural("variable {name!r}: unknown key {keys}", "variable {name!r}: unknown keys {keys}",
                                    len(unknown)), name=name, keys=", ".join(sorted(unknown)))
        default = spec.get("default", "")
        if isinstance(default, Located):
            default = {str(k): str(v) for k, v in default.items()}
        elif default is None:
            default = ""
        else:
            default = str(default)
        vtype = spec.get("type", "text")
        if vtype not in VARIABLE_TYPES:
            problem(vline, N_("variable {name!r}: type must be one of {choices}"), name=name, choices=", ".join(VARIABLE_TYPES))
            vtype = "text"
        required = spec.get("required", False)
        if not isinstance(required, bool):
            problem(vline, N_("variable {name!r}: required must be true or false"), name=name)
            required = False
        elif required and default:
            problem(vline, N_("variable {name!r}: a required variable has no default (remove one of them)"), name=name)
        cases = spec.get("cases", [])
        if not isinstance(cases, list) or not all(isinstance(case, str | int | float) for case in cases):
            problem(vline, N_("variable {name!r}: cases must be a list of values"), name=name)
            cases = []
        result[name] = Variable(name, default, str(spec.get("description", "")), str(spec.get("example", "")), vtype,
                                required, tuple(str(case) for case in cases))
    return result


def _translation(code: str, entry: Any, line: int, problem: Any) -> Translation | None:
    if not isinstance(entry, Located):
        problem(line, N_("a locale entry must be a mapping with subject and body"), locale=code)
        return None
    for key in entry:
        if key not in _LOCALE_KEYS:
            problem(entry.line_of(key), N_("unknown key {key!r} (known: {known})"), locale=code, key=key,
                    known=", ".join(sorted(_LOCALE_KEYS)))
    body = entry.get("body")
    if not isinstance(body, str) or not body.strip():
        problem(entry.line_of("body"), N_("body is missing or empty"), locale=code)
        return None
    subject = entry.get("subject", "")
    if not isinstance(subject, str):
        problem(entry.line_of("subject"), N_("subject must be text"), locale=code)
        subject = ""
    status = entry.get("status", "approved")
    if status not in STATUSES:
        problem(entry.line_of("status"), N_("status must be one of {choices}"), locale=code, choices=", ".join(STATUSES))
        status = "draft"
    source = entry.get("source")
    if isinstance(source, int) and not isinstance(source, bool) and 0 <= source < 10**12:
        source = str(source).zfill(12)  # an unquoted all-digit digest reads as a number
    if source is not None and not (isinstance(source, str) and re.fullmatch(r"[0-9a-f]{12}", source)):
        problem(entry.line_of("source"), N_("source must be the 12-character digest of the source text"), locale=code)
        source = None
    return Translation(
        locale=code, subject=subject.strip(), body=body.rstrip("\n"), source=source, status=status,
        note=str(entry.get("note", "")), line=line, subject_line=entry.value_lines.get("subject", line),
        body_line=entry.value_lines.get("body", line),
    )


@dataclass(frozen=True)
class Selection:
    """The template and locale chosen for a reply."""

    template: Template
    choice: LocaleChoice

    @property
    def translation(self) -> Translation:
        """The chosen locale's text as written: for a ``zh-Hant`` nobody wrote, the ``zh`` text it is
        converted from (``rendering`` converts the rendered reply, brand values included)."""
        return self.template.locales[self.choice.converted_from or self.choice.locale]


def select_template(library: Library, intent_or_id: str, locale: str, default_locale: str = "en",
                    allow_drafts: bool = False) -> Selection:
    """Template for an intent (or a template id) in ``locale``, following the fallback chain."""
    template = library.for_intent(intent_or_id) or library.templates.get(intent_or_id)
    if template is None:
        template = library.for_intent("other")
    if template is None:
        raise TemplateError(N_("no template answers {intent!r}"), str(library.root),
                            N_("Add a template with that intent, or one for `other`."), intent=intent_or_id)
    available = template.usable_locales(allow_drafts)
    choice = choose_locale(locale, available, default_locale)
    return Selection(template, choice)


def supported_locales(templates: Iterable[Template]) -> tuple[str, ...]:
    """Locales present in any template, the five supported ones first."""
    present = {code for t in templates for code in t.locales}
    return tuple(sorted(present, key=lambda c: (SUPPORTED_LANGUAGES.index(c) if c in SUPPORTED_LANGUAGES else 99, c)))
