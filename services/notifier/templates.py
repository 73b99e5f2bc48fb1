"""Message texts per kind, language and channel. Indonesian is the default.

SMS texts are kept within one 160-character GSM-7 message where the data allows.
"""

from __future__ import annotations

from datetime import datetime
from string import Template
from zoneinfo import ZoneInfo

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from shared.calendar import ZONES

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

TEMPLATES |= {
    ("status", "id", "sms"): "LAPOR! Laporan $tracking_id: $status_text.$note",
    ("status", "en", "sms"): "LAPOR! Report $tracking_id: $status_text.$note",
    ("status", "id", "email"): "Status laporan $tracking_id: $status_text.$note\n\n-- SP4N-LAPOR!",
    ("status", "en", "email"): "Status of report $tracking_id: $status_text.$note\n\n-- SP4N-LAPOR!",
}

TEMPLATES |= {
    ("sms_info", "id", "sms"): "LAPOR! $tracking_id: $status_text ($agency_name).",
    ("sms_info", "en", "sms"): "LAPOR! $tracking_id: $status_text ($agency_name).",
    ("sms_help", "id", "sms"): "LAPOR! Format: NAMA_DAERAH isi laporan. Cek: INFO no_pelacakan. Balas: BALAS no_pelacakan isi.",
    ("sms_help", "en", "sms"): "LAPOR! Format: REGION your report. Status: INFO tracking_no. Reply: BALAS tracking_no text.",
    ("sms_reply_received", "id", "sms"): "LAPOR! Balasan Anda untuk laporan $tracking_id sudah kami terima.",
    ("sms_reply_received", "en", "sms"): "LAPOR! We received your reply to report $tracking_id.",
    ("sms_unknown_report", "id", "sms"): "LAPOR! Laporan $tracking_id tidak ditemukan untuk nomor ini. Periksa nomor pelacakan.",
    ("sms_unknown_report", "en", "sms"): "LAPOR! Report $tracking_id was not found for this number. Check the tracking no.",
}

_ALERT_FOOTER = "\n\nData pelapor tidak disertakan. -- SP4N-LAPOR!"
TEMPLATES |= {
    ("sla_reminder", "id", "email"): "Pengingat: tahap $stage laporan $tracking_id di $agency_name jatuh tempo "
                                     "$due_at. Mohon segera ditindaklanjuti." + _ALERT_FOOTER,
    ("sla_breach", "id", "email"): "Batas waktu tahap $stage laporan $tracking_id di $agency_name terlewati "
                                   "($due_at, terlambat $overdue_hours jam)." + _ALERT_FOOTER,
    ("sla_persistent", "id", "email"): "Eskalasi ke pengawas: tahap $stage laporan $tracking_id di $agency_name "
                                       "masih terlambat $overdue_hours jam setelah batas $due_at." + _ALERT_FOOTER,
}

SUBJECTS = {
    ("status", "id"): "Status laporan $tracking_id",
    ("status", "en"): "Status of report $tracking_id",
    ("sla_reminder", "id"): "Pengingat batas waktu laporan $tracking_id",
    ("sla_breach", "id"): "Batas waktu terlewati: laporan $tracking_id",
    ("sla_persistent", "id"): "Eskalasi: laporan $tracking_id masih terlambat",
    ("ack", "id"): "Laporan $tracking_id diterima",
    ("ack", "en"): "Report $tracking_id received",
    ("assigned", "id"): "Laporan $tracking_id diteruskan",
    ("assigned", "en"): "Report $tracking_id forwarded",
}


def render(kind: str, language: str, channel: str, **values: str) -> str:
    # a chat message reads like the e-mail
    channel = "email" if channel == "chat" else channel
    text = TEMPLATES.get((kind, language, channel)) or TEMPLATES[(kind, "id", channel)]
    return Template(text).substitute(values)


def subject(kind: str, language: str, **values: str) -> str:
    return Template(SUBJECTS.get((kind, language)) or SUBJECTS[(kind, "id")]).substitute(values)


STAGE_NAMES = {
    "verification": {"id": "verifikasi", "en": "verification"},
    "first_follow_up": {"id": "tindak lanjut pertama", "en": "first follow-up"},
    "answer": {"id": "jawaban kepada pelapor", "en": "answer to the reporter"},
    "resolution": {"id": "penyelesaian", "en": "resolution"},
}


def stage_name(stage: str, language: str) -> str:
    return STAGE_NAMES.get(stage, {}).get(language, stage)


def local_time(at: datetime, tz: str) -> str:
    """``24-11-2026 23:59 WITA``: the reader's own zone, named as Indonesians name it."""
    zone = ZoneInfo(ZONES.get(tz, tz))
    label = next((k for k, v in ZONES.items() if v == zone.key), zone.key)
    return f"{at.astimezone(zone):%d-%m-%Y %H:%M} {label}"


def sms_segments(text: str) -> dict[str, int | str]:
    """How the network carries ``text``: GSM-7 (160 septets, 153 a part when concatenated,
    extension characters such as € or [ count twice) or, for anything else, UCS-2 (70, 67 a
    part; an emoji outside the BMP counts twice)."""
    try:
        units = len(text.encode("gsm03.38"))
        encoding, single, part = "gsm7", 160, 153
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-be")) // 2
        encoding, single, part = "ucs2", 70, 67
    parts = 1 if units <= single else -(-units // part)
    return {"encoding": encoding, "units": units, "parts": parts}


# the steps a reporter hears about; the rest (e.g. a forward between units) stay internal
STATUS_TEXT = {
    "in_progress": {"id": "sedang ditindaklanjuti", "en": "being followed up"},
    "resolved": {"id": "dinyatakan selesai; balas jika belum tuntas", "en": "marked resolved; reply if it is not"},
    "closed": {"id": "ditutup", "en": "closed"},
    "postponed": {"id": "perlu keterangan tambahan dari Anda", "en": "needs more information from you"},
    "archived": {"id": "diarsipkan", "en": "archived"},
}
STATUS_KINDS = set(STATUS_TEXT)
NOTE_LIMIT = 60


def status_text(status: str, language: str) -> str:
    return STATUS_TEXT.get(status, {}).get(language) or STATUS_TEXT.get(status, {}).get("id", status)


def short_note(note: str | None) -> str:
    """The officer's public note, trimmed so a status SMS stays within a message or two."""
    if not note:
        return ""
    note = " ".join(note.split())
    return " " + (note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 3].rstrip() + "...")


# an acknowledgement to a contact nobody has proved yet: on SMS a text of its own with the link,
# still one 160-character message; by e-mail the usual text and a paragraph
CONFIRMING_SMS = {
    "id": "LAPOR! Laporan $tracking_id diterima. Nomor ini milik Anda? Konfirmasi: $url",
    "en": "LAPOR! Report $tracking_id received. Is this your number? Confirm: $url",
}
CONFIRMING_EMAIL = {
    "id": "\n\nAlamat ini milik Anda? Konfirmasi agar menerima kabar semua laporan Anda: $url",
    "en": "\n\nIs this your address? Confirm it to hear about all your reports: $url",
}


def with_confirmation(text: str, language: str, channel: str, url: str, tracking_id: str) -> str:
    """The acknowledgement ``text`` as it goes to a contact that is not confirmed yet."""
    if channel == "sms":
        return Template(CONFIRMING_SMS.get(language, CONFIRMING_SMS["id"])).substitute(tracking_id=tracking_id, url=url)
    return text + Template(CONFIRMING_EMAIL.get(language, CONFIRMING_EMAIL["id"])).substitute(url=url)
