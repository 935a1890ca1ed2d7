"""Rendering: whatever a user typed or imported is inert in the HTML and the plain text, and never reaches
a header unsanitised; the message has a text and an HTML part and no external images."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from dashboard.digests import (
    Digest,
    Kpi,
    Link,
    Section,
    Styled,
    Table,
    build_message,
    header_text,
    render_html,
    render_text,
)
from dashboard.digests.render import sender_address

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [SCRIPT, '"><img src=x onerror=alert(1)>', "=HYPERLINK(\"http://evil.example\")", "Esc\x1bStation",
           "Line\r\nBcc: victim@evil.example", "{{ 7*7 }}", "{% raw %}", "&lt;b&gt;", "\u2028Sep"]


def hostile_digest(name: str) -> Digest:
    return Digest(
        kind="monthly", month="2025-06", language="en", username=f"user {name}",
        subject=f"{name}: June 2025", preheader=f"pre {name}", title=f"{name} · June 2025", subtitle=name,
        kpis=(Kpi(name, name, name, "bad"),),
        sections=(Section(name, name, Table((name, "Score"), ((Link(name, "https://cctns.example.org/station/X-1"),
                                                                 Styled(name, "good")), (name, name)), (1,), name),
                          note=name),),
        actions=(Link(name, "https://cctns.example.org/state/HR?month=2025-06"),),
        footer=(name,), manage=Link(name, "https://cctns.example.org/profile"), attachment_note=name)


@pytest.mark.parametrize("name", HOSTILE)
def test_everything_typed_or_imported_is_inert_in_the_html(name):
    html = render_html(hostile_digest(name))
    assert "<script" not in html.lower()
    assert "<img" not in html.lower() and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "49" not in html or "7*7" in html  # no template evaluation of data
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", html))
    assert tags <= {"html", "head", "meta", "title", "body", "div", "table", "tr", "td", "th", "h1", "h2", "p",
                    "a", "b", "span"}, tags
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("https://cctns.example.org/") for h in hrefs)


@pytest.mark.parametrize("name", HOSTILE)
def test_plain_text_has_no_control_characters(name):
    text = render_text(hostile_digest(name))
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    assert "\r" not in text


@pytest.mark.parametrize("name", HOSTILE)
def test_no_header_injection(name):
    msg = build_message(hostile_digest(name), "sp@example.org", "CCTNS <cctns@example.org>")
    raw = msg.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert [a.addr_spec for a in parsed["To"].addresses] == ["sp@example.org"]
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
    headers = raw.split(b"\n\n", 1)[0].decode("ascii")
    assert not re.search(r"^Bcc:", headers, re.MULTILINE | re.IGNORECASE)


def test_message_parts_and_attachment():
    d = hostile_digest("Haryana")
    msg = build_message(d, "hq@example.org", "CCTNS Dashboard <cctns@example.org>",
                        [("cctns-review-HR-2025-06.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
                        list_unsubscribe="https://cctns.example.org/profile")
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)) is not None and parsed.get_body(("html",)) is not None
    (pdf,) = list(parsed.iter_attachments())
    assert pdf.get_filename() == "cctns-review-HR-2025-06.pdf" and pdf.get_content().startswith(b"%PDF")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert parsed["From"].addresses[0].addr_spec == "cctns@example.org"


def test_header_text_and_sender():
    assert header_text("a\r\nBcc: x@y\tz") == "a Bcc: x@y z"
    assert len(header_text("x" * 500)) == 200
    assert sender_address("Dash <d@example.org>").addr_spec == "d@example.org"
    with pytest.raises(ValueError):
        sender_address("not an address")


def test_emails_are_validated():
    from dashboard.digests import ProfileError, clean_email

    assert clean_email("SP.Karnal@Example.ORG") == "SP.Karnal@example.org"
    assert clean_email("  ") is None
    for bad in ("x@y", "a b@example.org", "a@example.org\r\nBcc: v@evil.example", "<a@example.org>",
                "a@@example.org", "a..b@example.org", "Name <a@example.org>", "a@-example.org", "x" * 250 + "@e.org"):
        with pytest.raises(ProfileError):
            clean_email(bad)
