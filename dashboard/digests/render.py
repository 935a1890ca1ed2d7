"""A digest written as an e-mail: HTML (tables and inline CSS, as mail clients need; no external images)
and a plain-text part, both from the same `Digest`. The HTML comes from a jinja2 template with autoescape,
so every name, direction and comment a user typed or imported is inert text; the plain text has control
characters removed. Header values are made single-line before they reach `email`."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from jinja2 import Environment, select_autoescape

from dashboard.digests.model import Digest, Link, Styled, Table
from dashboard.safe_text import strip_control_characters

TONES = {"good": "#137333", "bad": "#b3261e", "muted": "#6b7280", "": "#111827"}
FONT = "Arial, 'Helvetica Neue', Helvetica, 'Segoe UI', sans-serif"
MAX_SUBJECT = 200

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ d.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{ d.subject }}</title>
</head>
<body style="margin:0;padding:0;background:#eef1f5;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#eef1f5;">{{ d.preheader }}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#eef1f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d9dee7;border-radius:8px;border-collapse:separate;font-family:{{ font }};color:#111827;">
<tr><td style="background:#0b3d91;border-radius:8px 8px 0 0;padding:20px 24px 18px 24px;">
<div style="font-size:11px;letter-spacing:1.2px;text-transform:uppercase;color:#b9cdf2;font-weight:bold;">{{ t_brand }}</div>
<h1 style="margin:6px 0 4px 0;font-size:22px;line-height:28px;color:#ffffff;font-weight:bold;">{{ d.title }}</h1>
<div style="font-size:13px;line-height:18px;color:#dbe6fb;">{{ d.subtitle }}</div>
</td></tr>
{% if d.kpis %}
<tr><td style="padding:20px 18px 4px 18px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr>
{% for k in d.kpis %}
<td valign="top" width="{{ (100 / d.kpis|length)|round(0, 'floor')|int }}%" style="padding:0 6px;height:100%;">
<table role="presentation" width="100%" height="100%" cellpadding="0" cellspacing="0" border="0" style="height:100%;border:1px solid #e3e7ee;border-radius:6px;border-collapse:separate;background:#f8fafc;">
<tr><td valign="top" height="{{ 72 if d.kpis|length <= 3 else 92 }}" style="padding:10px 12px;height:{{ 72 if d.kpis|length <= 3 else 92 }}px;">
<div style="font-size:11px;line-height:14px;text-transform:uppercase;letter-spacing:.5px;color:#4b5563;">{{ k.label }}</div>
<div style="font-size:{{ 22 if k.value|length <= 12 else 17 }}px;line-height:{{ 28 if k.value|length <= 12 else 22 }}px;font-weight:bold;color:{{ tones[k.tone] if k.tone in tones else tones[''] }};margin-top:2px;">{{ k.value }}</div>
{% if k.sub %}<div style="font-size:12px;line-height:16px;color:#4b5563;margin-top:2px;">{{ k.sub }}</div>{% endif %}
</td></tr></table>
</td>
{% endfor %}
</tr></table>
</td></tr>
{% endif %}
{% if d.actions %}
<tr><td style="padding:16px 24px 4px 24px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td style="background:#0b5cad;border-radius:5px;"><a href="{{ d.actions[0].url }}" style="display:inline-block;padding:10px 18px;font-size:14px;font-weight:bold;color:#ffffff;text-decoration:none;">{{ d.actions[0].text }} &rarr;</a></td>
{% for a in d.actions[1:] %}<td style="padding-left:16px;font-size:13px;"><a href="{{ a.url }}" style="color:#0b5cad;text-decoration:underline;">{{ a.text }}</a></td>{% endfor %}
</tr></table>
{% if d.attachment_note %}<div style="margin-top:12px;font-size:12px;line-height:17px;color:#4b5563;"><span style="display:inline-block;border:1px solid #b3261e;color:#b3261e;border-radius:3px;font-size:10px;line-height:14px;font-weight:bold;padding:0 4px;margin-right:6px;">PDF</span>{{ d.attachment_note }}</div>{% endif %}
</td></tr>
{% endif %}
{% for s in d.sections %}
<tr><td style="padding:18px 24px 0 24px;">
{% if s.title %}<h2 style="margin:0 0 6px 0;font-size:16px;line-height:22px;color:#0b3d91;border-bottom:2px solid #e3e7ee;padding-bottom:6px;">{{ s.title }}</h2>{% endif %}
{% if s.lead %}<p style="margin:0 0 10px 0;font-size:13px;line-height:19px;color:#374151;">{{ s.lead }}</p>{% endif %}
{% if s.table %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;line-height:18px;">
<tr>{% for h in s.table.header %}<th align="{{ 'right' if loop.index0 in s.table.numeric else 'left' }}"{% if s.table.widths %} width="{{ s.table.widths[loop.index0] }}"{% endif %} style="padding:6px 8px;background:#f1f4f9;color:#374151;font-size:11px;line-height:15px;text-transform:uppercase;letter-spacing:.4px;font-weight:bold;border-bottom:1px solid #d9dee7;{{ 'white-space:nowrap;' if loop.index0 in s.table.numeric else '' }}">{{ h }}</th>{% endfor %}</tr>
{% for row in s.table.rows %}
<tr>{% for c in row %}<td valign="top" align="{{ 'right' if loop.index0 in s.table.numeric else 'left' }}" style="padding:7px 8px;border-bottom:1px solid #edf0f4;{{ 'white-space:nowrap;' if loop.index0 in s.table.numeric else '' }}{% if c.tone is defined %}color:{{ tones[c.tone] if c.tone in tones else tones[''] }};{% endif %}">{% if c.url is defined %}<a href="{{ c.url }}" style="color:#0b5cad;text-decoration:none;font-weight:bold;">{{ c.text }}</a>{% elif c.tone is defined %}{% if c.strong %}<b>{{ c.text }}</b>{% else %}{{ c.text }}{% endif %}{% else %}{{ c }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% if s.table.more %}<p style="margin:6px 0 0 0;font-size:12px;color:#6b7280;">{{ s.table.more }}</p>{% endif %}
{% endif %}
{% if s.items %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
{% for it in s.items %}
<tr>
<td valign="top" style="padding:10px 8px 10px 0;border-bottom:1px solid #edf0f4;">
<div style="font-size:14px;line-height:19px;font-weight:bold;">{% if it.title.url is defined %}<a href="{{ it.title.url }}" style="color:#0b5cad;text-decoration:none;">{{ it.title.text }}</a>{% elif it.title.text is defined %}{{ it.title.text }}{% else %}{{ it.title }}{% endif %}</div>
{% for line in it.lines %}<div style="font-size:12px;line-height:17px;color:{{ '#4b5563' if loop.first else '#111827' }};margin-top:3px;">{{ line }}</div>{% endfor %}
</td>
<td valign="top" align="right" width="110" style="padding:10px 0 10px 8px;border-bottom:1px solid #edf0f4;white-space:nowrap;">
<div style="font-size:16px;line-height:20px;font-weight:bold;color:{{ tones[it.tone] if it.tone in tones else tones[''] }};">{{ it.value }}</div>
{% if it.value_note %}<div style="font-size:11px;line-height:14px;color:#6b7280;">{{ it.value_note }}</div>{% endif %}
</td>
</tr>
{% endfor %}
</table>
{% if s.more %}<p style="margin:6px 0 0 0;font-size:12px;color:#6b7280;">{{ s.more }}</p>{% endif %}
{% endif %}
{% if s.note %}<p style="margin:8px 0 0 0;font-size:12px;line-height:17px;color:#4b5563;">{{ s.note }}</p>{% endif %}
</td></tr>
{% endfor %}
<tr><td style="padding:24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-top:1px solid #e3e7ee;">
<tr><td style="padding-top:12px;font-size:12px;line-height:18px;color:#6b7280;">
{% for line in d.footer %}<div>{{ line }}</div>{% endfor %}
{% if d.manage %}<div style="margin-top:6px;"><a href="{{ d.manage.url }}" style="color:#0b5cad;">{{ d.manage.text }}</a></div>{% endif %}
</td></tr></table>
</td></tr>
</table>
</td></tr></table>
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)
_TEMPLATE = _ENV.from_string(TEMPLATE)


def render_html(d: Digest, brand: str = "CCTNS Progress Dashboard") -> str:
    return _TEMPLATE.render(d=d, tones=TONES, font=FONT, t_brand=brand)


def _plain(value: object) -> str:
    return strip_control_characters(str(value)).replace("\r", " ").replace("\n", " ") if value is not None else ""


def _cell_text(c: object) -> str:
    if isinstance(c, Link):
        return _plain(c.text)
    if isinstance(c, Styled):
        return _plain(c.text)
    return _plain(c)


def _table_text(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells = [_cell_text(c) for c in row]
        head = " · ".join(f"{h}: {v}" if i else v for i, (h, v) in enumerate(zip(table.header, cells, strict=False)))
        lines.append(f"  - {head}")
        links = [c.url for c in row if isinstance(c, Link)]
        if links:
            lines.append(f"    {links[0]}")
    if table.more:
        lines.append(f"  ({_plain(table.more)})")
    return lines


def render_text(d: Digest, brand: str = "CCTNS Progress Dashboard") -> str:
    """The plain-text part: the same content, one fact a line, links written out."""
    title = _plain(d.title)
    lines = [brand.upper(), title, "=" * min(len(title), 72), _plain(d.subtitle), ""]
    for k in d.kpis:
        lines.append(f"{_plain(k.label)}: {_plain(k.value)}" + (f" ({_plain(k.sub)})" if k.sub else ""))
    if d.actions:
        lines += ["", *(f"{_plain(a.text)}: {a.url}" for a in d.actions)]
    if d.attachment_note:
        lines.append(_plain(d.attachment_note))
    for s in d.sections:
        lines.append("")
        if s.title:
            lines += [_plain(s.title), "-" * min(len(_plain(s.title)), 72)]
        if s.lead:
            lines.append(_plain(s.lead))
        if s.table:
            lines += _table_text(s.table)
        for it in s.items:
            value = " ".join(x for x in (_plain(it.value), _plain(it.value_note)) if x)
            lines.append(f"  - {_cell_text(it.title)}" + (f" ({value})" if value else ""))
            lines += [f"    {_plain(x)}" for x in it.lines]
            if isinstance(it.title, Link):
                lines.append(f"    {it.title.url}")
        if s.more:
            lines.append(f"  ({_plain(s.more)})")
        if s.note:
            lines.append(_plain(s.note))
    lines += ["", "--", *(_plain(f) for f in d.footer)]
    if d.manage:
        lines.append(f"{_plain(d.manage.text)}: {d.manage.url}")
    return "\n".join(lines) + "\n"


_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0080-\u009f\u2028\u2029]+")


def header_text(value: object, limit: int = MAX_SUBJECT) -> str:
    """A single-line header value: line breaks and control characters become spaces (no header injection)."""
    text = " ".join(_HEADER_UNSAFE.sub(" ", str(value or "")).split())
    return text[: limit - 1] + "…" if len(text) > limit else text


def sender_address(mail_from: str) -> Address:
    """CCTNS_MAIL_FROM ("Name <addr>" or "addr") as an Address; ValueError when it is not one."""
    name, addr = parseaddr(header_text(mail_from, 300))
    if "@" not in addr:
        raise ValueError(f"CCTNS_MAIL_FROM is not an e-mail address: {mail_from!r}")
    local, _, domain = addr.rpartition("@")
    return Address(display_name=header_text(name, 80), username=local, domain=domain)


def build_message(d: Digest, to_email: str, mail_from: str, attachments: list[tuple[str, str, bytes]] = (),
                  list_unsubscribe: str | None = None) -> EmailMessage:
    """The MIME message: multipart/alternative (text, HTML) and any attachments (filename, mime, bytes)."""
    sender = sender_address(mail_from)
    local, _, domain = to_email.rpartition("@")
    msg = EmailMessage()
    msg["Subject"] = header_text(d.subject)
    msg["From"] = sender
    msg["To"] = Address(display_name=header_text(d.username, 80), username=local, domain=domain)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=f"{d.kind}.{d.month}", domain=sender.domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    if list_unsubscribe:
        msg["List-Unsubscribe"] = f"<{header_text(list_unsubscribe, 300)}>"
    msg.set_content(render_text(d), subtype="plain", charset="utf-8")
    msg.add_alternative(render_html(d), subtype="html", charset="utf-8")
    for filename, mime, data in attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=header_text(filename, 120))
    return msg
