"""Email delivery: Jinja2 templates per language, a plain-text part, SMTP.

Templates live at ``templates/emails/<lang>/<template>.html`` in any installed app
(later apps override earlier ones; ``EMAIL_TEMPLATE_DIRS`` override every app). A
``.txt`` sibling gives the plain-text part, otherwise it is derived from the HTML. A
template may set its subject with ``{% set subject = "..." %}``.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lys.conf.settings import Settings
from lys.jobs.errors import PermanentJobError

DEFAULT_LANGUAGE = "en"


class EmailTemplateMissingError(PermanentJobError):
    code = "EMAIL_TEMPLATE_MISSING"
    default_detail = "No template exists for this email."


class EmailRejectedError(PermanentJobError):
    """The server refused the message for good (5xx): retrying would not help."""

    code = "EMAIL_REJECTED"
    default_detail = "The mail server refused this email."


@dataclass(frozen=True)
class RenderedEmail:
    subject: str | None
    html: str
    text: str


def template_dirs(registry: Any, settings: Settings) -> list[str]:
    """Where templates are looked up, first match wins: settings, then apps last-first."""
    found: list[str] = [str(Path(folder)) for folder in settings.email_template_dirs]
    app_dirs: list[str] = []
    for app in registry.apps:
        for module in (app.module, *app.locations):
            for folder in getattr(module, "__path__", []) or []:
                candidate = Path(folder) / "templates"
                if candidate.is_dir() and str(candidate) not in app_dirs:
                    app_dirs.append(str(candidate))
    return found + list(reversed(app_dirs))


class EmailRenderer:
    def __init__(self, search_path: Iterable[str]) -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        self.environment = Environment(
            loader=FileSystemLoader(list(search_path)),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            keep_trailing_newline=True,
        )

    def render(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedEmail:
        from jinja2 import TemplateNotFound

        names = [f"emails/{language}/{template}.html"]
        if language != DEFAULT_LANGUAGE:
            names.append(f"emails/{DEFAULT_LANGUAGE}/{template}.html")
        try:
            html_template = self.environment.select_template(names)
        except TemplateNotFound:
            raise EmailTemplateMissingError(
                f"no email template {' or '.join(names)} in any app's templates/ folder",
                extensions={"template": template, "language": language},
            ) from None
        module = html_template.make_module(dict(context))
        html = str(module)
        subject = getattr(module, "subject", None)
        text_name = str(html_template.name)[: -len(".html")] + ".txt"
        try:
            text = self.environment.get_template(text_name).render(dict(context))
        except TemplateNotFound:
            text = html_to_text(html)
        return RenderedEmail(
            subject=str(subject).strip() if subject else None, html=html, text=text
        )


def build_message(
    settings: Settings, to: str, subject: str, rendered: RenderedEmail
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.email_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = settings.email_sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def send_message(settings: Settings, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; temporary failures raise for a retry."""
    if not settings.smtp_host:
        raise PermanentJobError("SMTP_HOST is not set", code="SMTP_NOT_CONFIGURED")
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.smtp_ssl:
        connection = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=context
        )
    else:
        connection = smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        )
    with connection as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=context)
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise EmailRejectedError(f"recipient refused: {exc.recipients}") from exc
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code >= 500:
                raise EmailRejectedError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise


class _TextExtractor(HTMLParser):
    """HTML to readable text: blocks on their own lines, links as ``text (url)``."""

    BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
    )
    SKIPPED = frozenset({"head", "style", "script", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = " ".join("".join(self.parts[start:]).split())
            if href and href != label:
                self.parts.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).splitlines()]
        paragraphs: list[str] = []
        for line in lines:
            if line or (paragraphs and paragraphs[-1]):
                paragraphs.append(line)
        return "\n".join(paragraphs).strip() + "\n"


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()
