"""Trust boundaries of configuration: one test per attack of the planted-configuration report.

A ``supportkit.toml`` planted in a parent folder rewrote ``[brand]`` for every reply (a scam
Telegram), and ``check`` said nothing. Every folder here is a tmp_path with its own ``.git``,
and every test sets the working directory itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import BUNDLED_REPLIES, load_config
from supportkit.errors import ConfigError
from supportkit.writers.checks import run_checks

SCAM_BRAND = """[brand]
product = "TokenPocket"
support_email = "help@tokenpocket-support.example"
website = "https://tokenpocket-support.example"
help_center = "https://tokenpocket-support.example/help"
twitter = "https://x.com/tp_support_desk"
telegram = "https://t.me/tp_support_desk"
"""
TEAM_CONTACTS = """support_email = "help@acme.example"
website = "https://www.acme.example"
help_center = "https://help.acme.example"
twitter = "https://x.com/acme"
telegram = "https://t.me/acme"
"""
CONTACT = ["reply", "--lang", "en", "how can I contact customer support?"]


def project(root: Path, config: str | None = None) -> Path:
    """A project folder (with ``.git``) under ``root``, optionally with its supportkit.toml."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir()
    if config is not None:
        (root / "supportkit.toml").write_text(config, encoding="utf-8")
    return root


def test_a_file_planted_above_the_project_is_not_read(tmp_path: Path, runner: CliRunner,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "supportkit.toml").write_text(SCAM_BRAND, encoding="utf-8")
    work = project(tmp_path / "shop") / "docs"
    work.mkdir()
    monkeypatch.chdir(work)
    assert load_config(env={}).brand.telegram == {"en": "https://t.me/TokenPocket_en"}
    result = runner.invoke(cli, CONTACT)
    assert result.exit_code == 0, result.output
    assert "https://t.me/TokenPocket_en" in result.stdout and "tp_support_desk" not in result.stdout
    # Outside any repository only the working directory itself is searched.
    loose = tmp_path / "loose"
    loose.mkdir()
    monkeypatch.chdir(loose)
    assert load_config(env={}).source == "defaults"


def test_the_users_own_file_is_read_first_and_the_project_wins(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "supportkit" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('default_locale = "es"\nglossary = ["Acme"]\n', encoding="utf-8")
    monkeypatch.chdir(project(tmp_path / "shop", 'default_locale = "fr"\n'))
    config = load_config(env={"SUPPORTKIT_DISABLED_CHECKS": "length"})
    assert (config.default_locale, config.glossary, config.disabled_checks) == ("fr", ("Acme",), ("length",))
    assert config.source == str(tmp_path / "shop" / "supportkit.toml")


def test_a_file_writable_by_group_or_others_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", SCAM_BRAND)
    path = shop / "supportkit.toml"
    path.chmod(0o664)
    monkeypatch.chdir(shop)
    with pytest.raises(ConfigError) as caught:
        load_config(env={})
    assert caught.value.message == (
        f"supportkit.toml is writable by group or others, so it is not read ({path}). "
        f"Make it writable by you alone: chmod go-w {path}")


def test_a_file_in_a_folder_writable_by_others_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", SCAM_BRAND)
    shop.chmod(0o777)
    monkeypatch.chdir(shop)
    with pytest.raises(ConfigError) as caught:
        load_config(env={})
    assert caught.value.message == (
        f"the folder of supportkit.toml is writable by group or others, so it is not read ({shop / 'supportkit.toml'}). "
        f"Make it writable by you alone: chmod go-w {shop}")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_a_file_owned_by_another_user_is_refused_unless_its_folder_is_safe(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", 'default_locale = "fr"\n')
    os.chown(shop / "supportkit.toml", 65534, 65534)
    monkeypatch.chdir(shop)
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "supportkit" / "config.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(env={})
    assert caught.value.message == (
        f"supportkit.toml is owned by another user (uid 65534), so it is not read ({shop / 'supportkit.toml'}). "
        f'If you trust it, add its folder to {user}: safe_directories = ["{shop}"] '
        f"(or set SUPPORTKIT_SAFE_DIRECTORIES={shop}).")
    assert load_config(env={"SUPPORTKIT_SAFE_DIRECTORIES": f"/elsewhere{os.pathsep}{shop}"}).default_locale == "fr"
    assert load_config(env={"SUPPORTKIT_SAFE_DIRECTORIES": "*"}).default_locale == "fr"
    user.parent.mkdir(parents=True)
    user.write_text(f"safe_directories = {json.dumps([str(shop)])}\n", encoding="utf-8")
    assert load_config(env={}).default_locale == "fr"
    # A project cannot vouch for itself.
    user.unlink()
    (shop / "supportkit.toml").write_text(f"safe_directories = {json.dumps([str(shop)])}\n", encoding="utf-8")
    os.chown(shop / "supportkit.toml", os.geteuid(), os.getegid())
    with pytest.raises(ConfigError, match=r"^safe_directories is read only from your own config file"):
        load_config(env={})


def test_supportkit_config_shows_files_read_and_refused_and_every_origin(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", '[brand]\nproduct = "Acme"\n' + TEAM_CONTACTS)
    monkeypatch.chdir(shop)
    monkeypatch.setenv("SUPPORTKIT_DEFAULT_LOCALE", "ru")
    result = runner.invoke(cli, ["--replies", str(BUNDLED_REPLIES), "config", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    path = str(shop / "supportkit.toml")
    assert data["files"] == [{"path": path, "scope": "project", "status": "read", "reason": None}]
    settings = data["settings"]
    assert settings["brand.telegram"] == {"value": "https://t.me/acme", "origin": path}
    assert settings["default_locale"] == {"value": "ru", "origin": "env SUPPORTKIT_DEFAULT_LOCALE"}
    assert settings["replies_dir"] == {"value": str(BUNDLED_REPLIES), "origin": "flag --replies"}
    assert settings["source_locale"] == {"value": "en", "origin": "default"}
    assert settings["brand.product"] == {"value": "Acme", "origin": path}
    (shop / "supportkit.toml").chmod(0o666)
    result = runner.invoke(cli, ["config", "--json"])
    assert result.exit_code == 1
    refused = json.loads(result.stdout)["files"]
    assert refused[0]["status"] == "refused" and refused[0]["reason"].startswith("supportkit.toml is writable by group")
    assert json.loads(result.stdout)["settings"]["brand.product"] == {"value": "TokenPocket", "origin": "default"}


def test_a_brand_that_sets_some_contacts_but_not_others_is_an_error(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", '[brand]\nproduct = "Acme"\ntelegram = "https://t.me/acme"\n')
    monkeypatch.chdir(shop)
    with pytest.raises(ConfigError) as caught:
        load_config(env={})
    assert caught.value.message == (
        f"[brand] sets telegram but not support_email, website, help_center, twitter ({shop / 'supportkit.toml'}). "
        "Set all of support_email, website, help_center, twitter, telegram, or none: replies must not mix "
        "your contacts with the default company's.")
    (shop / "supportkit.toml").write_text('[brand]\nproduct = "Acme"\n' + TEAM_CONTACTS, encoding="utf-8")
    assert load_config(env={}).brand.help_center == "https://help.acme.example"


@pytest.mark.parametrize(("change", "message"), [
    (("telegram", "http://t.me/acme"),
     "brand.telegram must be an https:// link, not 'http://t.me/acme' ({path}). "
     "Customers are sent there: give the https address."),
    (("help_center", "https://acme-help.example/kb"),
     "brand.help_center links to acme-help.example, which is not the brand's domain (acme.example) or an allowed one "
     "({path}). Allowed: acme.example, tronscan.org, etherscan.io, bscscan.com, solscan.io. If acme-help.example is "
     'yours, add it to [brand]: allowed_domains = ["acme-help.example"].'),
    (("telegram", "https://tg-acme.example/join"),
     "brand.telegram links to tg-acme.example, which is not the brand's domain (acme.example) or an allowed one "
     "({path}). Allowed: acme.example, tronscan.org, etherscan.io, bscscan.com, solscan.io, t.me, telegram.me. "
     'If tg-acme.example is yours, add it to [brand]: allowed_domains = ["tg-acme.example"].'),
])
def test_a_brand_link_must_be_https_and_on_the_brands_hosts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], message: str) -> None:
    key, value = change
    contacts = "".join(f'{key} = "{value}"\n' if line.startswith(key + " ") else line + "\n"
                       for line in TEAM_CONTACTS.splitlines())
    shop = project(tmp_path / "shop", "[brand]\n" + contacts)
    monkeypatch.chdir(shop)
    with pytest.raises(ConfigError) as caught:
        load_config(env={})
    assert caught.value.message == message.format(path=shop / "supportkit.toml")
    if value.startswith("https://"):
        host = value.split("/")[2]
        (shop / "supportkit.toml").write_text(f'[brand]\nallowed_domains = ["{host}"]\n' + contacts, encoding="utf-8")
        assert getattr(load_config(env={}).brand, key) == value


def test_a_rendered_reply_linking_off_the_brand_is_a_finding_and_is_not_printed(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # The brand's links are its own; a link hidden in another brand text goes out through every reply.
    shop = project(tmp_path / "shop", '[brand]\nsupport_hours = "24/7, or write to t.me/tp_help_desk"\n')
    monkeypatch.chdir(shop)
    config = load_config(env={})
    findings = [f for f in run_checks(config, [BUNDLED_REPLIES / "contact_support.yaml"]).findings
                if f.check == "rendered_reply"]
    assert [(f.locale, f.message) for f in findings][:1] == [
        ("en", "body: links to t.me/tp_help_desk, which is not an allowed domain "
               "(the brand's, a block explorer, or allowed_domains in [brand])")]
    assert {f.locale for f in findings} == {"en", "zh", "es", "ru", "fr"}
    result = runner.invoke(cli, CONTACT)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the reply contact_support links to t.me/tp_help_desk, which is not an allowed domain "
        f"({BUNDLED_REPLIES / 'contact_support.yaml'}: en). Nothing was printed. On t.me only the brand's own link "
        "is allowed: if it is yours, make it telegram in [brand].\n")


def test_a_bare_domain_in_a_value_is_refused_with_how_to_allow_it(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop", '[brand]\nproduct = "Acme (evil.example)"\n' + TEAM_CONTACTS)
    monkeypatch.chdir(shop)
    result = runner.invoke(cli, CONTACT)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the reply contact_support links to evil.example, which is not an allowed domain "
        f"({BUNDLED_REPLIES / 'contact_support.yaml'}: en). Nothing was printed. If evil.example is yours, add it "
        'to [brand] in your supportkit.toml: allowed_domains = ["evil.example"].\n')
    (shop / "supportkit.toml").write_text(
        '[brand]\nproduct = "Acme (evil.example)"\nallowed_domains = ["evil.example"]\n' + TEAM_CONTACTS,
        encoding="utf-8")
    assert runner.invoke(cli, CONTACT).exit_code == 0


def test_a_rendered_reply_asking_for_the_recovery_phrase_is_a_finding_and_is_not_printed(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = project(tmp_path / "shop",
                   '[brand]\nin_app_support = "Me > Help, then send us your recovery phrase to verify the wallet"\n')
    monkeypatch.chdir(shop)
    findings = [f for f in run_checks(load_config(env={}), [BUNDLED_REPLIES / "contact_support.yaml"]).findings
                if f.check == "rendered_reply" and f.locale == "en"]
    assert [f.message for f in findings] == [
        "body: asks for a recovery phrase or private key: "
        "'- In the app: Me > Help, then send us your recovery phrase to verify the wallet'"]
    result = runner.invoke(cli, CONTACT)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the reply contact_support asks the customer for a recovery phrase or private key: "
        "'- In the app: Me > Help, then send us your recovery phrase to verify the wallet' "
        f"({BUNDLED_REPLIES / 'contact_support.yaml'}: en). Nothing was printed. Support never asks for one: "
        "fix the template (supportkit check).\n")


@pytest.mark.parametrize("table", ['[brand]\nproduct = "AcmeWallet"\n',
                                   '[brand]\nproduct = "AcmeWallet"\nsupport_hours = "9-18"\n'])
def test_a_renamed_product_without_its_contacts_is_refused(table: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, table)
    monkeypatch.chdir(root)
    with pytest.raises(ConfigError, match="names the product 'AcmeWallet' but none of its contacts"):
        load_config(root, env={})
    result = CliRunner().invoke(cli, CONTACT)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "tokenpocket" not in result.stdout.lower()
