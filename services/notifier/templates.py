"""Message texts per kind, language and channel. Indonesian is the default.

SMS texts are kept within one 160-character GSM-7 message where the data allows.
"""

from __future__ import annotations

from string import Template

TEMPLATES: dict[tuple[str, str, str], str] = {
    ("ack", "id", "sms"): "LAPOR! Laporan Anda diterima. No. pelacakan: $tracking_id. Cek status: kirim INFO $tracking_id ke 1708.",
    ("ack", "en", "sms"): "LAPOR! Your report was received. Tracking no: $tracking_id. For status text INFO $tracking_id to 1708.",
    ("ack", "id", "email"): "Laporan Anda telah kami terima dengan nomor pelacakan $tracking_id.\n\n"
                            "Status laporan dapat dilihat kapan saja dengan nomor tersebut.\n\n-- SP4N-LAPOR!",
    ("ack", "en", "email"): "We received your report; its tracking number is $tracking_id.\n\n"
                            "You can follow its status at any time with that number.\n\n-- SP4N-LAPOR!",
    ("assigned", "id", "sms"): "LAPOR! Laporan $tracking_id diteruskan ke $agency_name untuk ditindaklanjuti.",
    ("assigned", "en", "sms"): "LAPOR! Report $tracking_id was forwarded to $agency_name for follow-up.",
    ("assigned", "id", "email"): "Laporan $tracking_id telah diteruskan ke $agency_name untuk ditindaklanjuti.\n\n-- SP4N-LAPOR!",
    ("assigned", "en", "email"): "Report $tracking_id was forwarded to $agency_name for follow-up.\n\n-- SP4N-LAPOR!",
}

SUBJECTS = {
    ("ack", "id"): "Laporan $tracking_id diterima",
    ("ack", "en"): "Report $tracking_id received",
    ("assigned", "id"): "Laporan $tracking_id diteruskan",
    ("assigned", "en"): "Report $tracking_id forwarded",
}


def render(kind: str, language: str, channel: str, **values: str) -> str:
    text = TEMPLATES.get((kind, language, channel)) or TEMPLATES[(kind, "id", channel)]
    return Template(text).substitute(values)


def subject(kind: str, language: str, **values: str) -> str:
    return Template(SUBJECTS.get((kind, language)) or SUBJECTS[(kind, "id")]).substitute(values)
