"""Reset e-mail templates: rendering, escaping, overrides, and names that must not matter."""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import EmailMessage
from pathlib import Path

import pytest

from passgate.clock import ManualClock
from passgate.mail.templates import (
    DEFAULT_SUBJECT,
    ResetMail,
    TemplateSet,
    find_reset_link,
)

SENDER = "Passgate <no-reply@example.com>"
LINK = "https://app.example.com/account/reset?user=u_7Hq2mXc4KfZ9&token=pgr_" + "Zq8-_x" * 8
ESCAPED_LINK = LINK.replace("&", "&amp;")
MAIL = ResetMail(
    to_address="alice@example.com", reset_link=LINK, expires_minutes=45, tenant_name="Acme"
)


def render(
    templates: TemplateSet, template: str | None = None, mail: ResetMail = MAIL
) -> EmailMessage:
    return templates.render(mail, template=template, sender=SENDER)


def reparse(message: EmailMessage) -> EmailMessage:
    """The message as a reader of the .eml file or the SMTP stream sees it."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def payloads(message: EmailMessage) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            raw = part.get_payload(decode=True)
            assert isinstance(raw, bytes)
            found[part.get_content_type()] = raw.decode(part.get_content_charset() or "ascii")
    return found


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name.replace("__", ".")).write_text(content, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- default


def test_default_mail_has_text_and_html_and_every_header() -> None:
    clock = ManualClock(1_800_000_000.0)
    message = reparse(render(TemplateSet(clock=clock)))

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == DEFAULT_SUBJECT
    assert message["From"] == SENDER
    assert message["To"] == "alice@example.com"
    assert message["Date"] == "Fri, 15 Jan 2027 08:00:00 +0000"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Auto-Submitted"] == "auto-generated"


def test_default_text_carries_the_exact_link_on_its_own_line() -> None:
    message = render(TemplateSet())
    raw = message.as_bytes()
    text = payloads(reparse(message))["text/plain"]

    assert LINK in text.splitlines()
    assert "45 minutes" in text
    assert LINK.encode() + b"\n" in raw  # no quoted-printable `=3D` or soft breaks
    assert find_reset_link(reparse(message)) == LINK


def test_default_html_escapes_the_link() -> None:
    html = payloads(reparse(render(TemplateSet())))["text/html"]

    assert f'href="{ESCAPED_LINK}"' in html
    assert LINK not in html


def test_link_survives_non_ascii_text_and_very_long_lines(tmp_path: Path) -> None:
    long_link = LINK + "&pad=" + "x" * 1200
    write(tmp_path, reset__txt="Passwort zurücksetzen für $tenant_name:\n$reset_link\n")
    mail = ResetMail("alice@example.com", long_link, 45, "Bäckerei Müller")

    message = reparse(render(TemplateSet(tmp_path), mail=mail))
    text = payloads(message)["text/plain"]

    assert "Bäckerei Müller" in text
    assert long_link in text.splitlines()
    assert find_reset_link(message) == long_link


def test_headers_cannot_be_injected_through_the_tenant_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        reset__txt="$reset_link\n",
        reset__subject="Reset your $tenant_name password\n",
    )
    mail = ResetMail("alice@example.com", LINK, 45, "Acme\r\nBcc: mallory@example.com")

    message = reparse(render(TemplateSet(tmp_path), mail=mail))

    assert message["Subject"] == "Reset your Acme Bcc: mallory@example.com password"
    assert message["Bcc"] is None


# --------------------------------------------------------------------------- escaping


def test_html_escapes_every_value_and_text_keeps_them_verbatim(tmp_path: Path) -> None:
    write(
        tmp_path,
        reset__txt="$tenant_name\n$reset_link\n",
        reset__html='<p title="$tenant_name">$tenant_name</p><a href="$reset_link">go</a>',
    )
    hostile = '<script>alert("x")</script>\''
    mail = ResetMail("alice@example.com", LINK, 45, hostile)

    parts = payloads(reparse(render(TemplateSet(tmp_path), mail=mail)))

    assert "<script>" not in parts["text/html"]
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;"
    assert f'<p title="{escaped}">{escaped}</p>' in parts["text/html"]
    assert f'href="{ESCAPED_LINK}"' in parts["text/html"]
    assert hostile in parts["text/plain"].splitlines()


def test_unknown_placeholders_and_stray_dollars_are_left_alone(tmp_path: Path) -> None:
    write(tmp_path, reset__txt="Costs $$5, $nothing here, ${ also $\n$reset_link\n")

    text = payloads(reparse(render(TemplateSet(tmp_path))))["text/plain"]

    assert text.splitlines()[0] == "Costs $5, $nothing here, ${ also $"


# --------------------------------------------------------------------------- overrides


def test_override_folder_wins_over_the_built_in(tmp_path: Path) -> None:
    write(
        tmp_path,
        reset__txt="Hi from $tenant_name\n$reset_link\n",
        reset__html='<a href="$reset_link">$tenant_name</a>',
        reset__subject="  $tenant_name: new password  \nignored second line\n",
    )

    message = reparse(render(TemplateSet(tmp_path)))
    parts = payloads(message)

    assert message["Subject"] == "Acme: new password"
    assert parts["text/plain"] == f"Hi from Acme\n{LINK}\n"
    assert parts["text/html"].strip() == f'<a href="{ESCAPED_LINK}">Acme</a>'


def test_override_without_html_sends_text_only_not_the_stock_html(tmp_path: Path) -> None:
    write(tmp_path, reset__txt="Plain only\n$reset_link\n")

    message = reparse(render(TemplateSet(tmp_path)))

    assert message.get_content_type() == "text/plain"
    assert message["Subject"] == DEFAULT_SUBJECT
    assert find_reset_link(message) == LINK


def test_a_named_template_is_picked(tmp_path: Path) -> None:
    write(
        tmp_path,
        **{"welcome-back_2__txt": "Welcome back!\n$reset_link\n"},
    )
    templates = TemplateSet(tmp_path)

    named = payloads(reparse(render(templates, "welcome-back_2")))["text/plain"]
    default = payloads(reparse(render(templates)))["text/plain"]

    assert named.startswith("Welcome back!")
    assert not default.startswith("Welcome back!")
    assert templates.names == ["reset", "welcome-back_2"]


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "nope",
        "../secret",
        "../../etc/passwd",
        "/etc/passwd",
        "reset/../secret",
        "secret\n",
        "reset.txt",
        "a" * 65,
        "réset",
    ],
)
def test_unknown_or_invalid_names_fall_back_to_the_default(
    tmp_path: Path, name: str | None
) -> None:
    write(tmp_path, secret__txt="LEAKED $reset_link\n")  # outside the override folder
    templates = TemplateSet(write(tmp_path / "override", other__txt="Other $reset_link\n"))

    chosen = payloads(reparse(render(templates, name)))
    default = payloads(reparse(render(templates, "reset")))

    assert chosen == default
    assert "LEAKED" not in chosen["text/plain"]


def test_a_template_without_the_link_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, broken__txt="No link here\n", reset__txt="Override $reset_link\n")

    with caplog.at_level(logging.WARNING, logger="passgate.mail.templates"):
        templates = TemplateSet(tmp_path)  # reported at start-up, not at the first mail
    assert "lacks $reset_link" in caplog.text

    text = payloads(reparse(render(templates, "broken")))["text/plain"]

    assert text == f"Override {LINK}\n"  # falls back to `reset`, the override one


def test_templates_are_read_once(tmp_path: Path) -> None:
    template = tmp_path / "reset.txt"
    write(tmp_path, reset__txt="First $reset_link\n")
    templates = TemplateSet(tmp_path)

    template.write_text("Second $reset_link\n", encoding="utf-8")

    assert payloads(reparse(render(templates)))["text/plain"].startswith("First")


def test_override_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        TemplateSet(tmp_path / "missing")


def test_find_reset_link_needs_user_and_token() -> None:
    message = EmailMessage()
    message.set_content("See https://example.com/help?user=x and https://example.com/?token=y\n")
    assert find_reset_link(message) is None
