"""Submit a few demo reports to a running intake (used by make run)."""

from __future__ import annotations

import httpx

DEMO = [
    {"title": "Jalan rusak di depan pasar", "body": "Jalan berlubang besar di depan Pasar Martapura, sudah tiga bulan tidak diperbaiki.",
     "category": "infrastructure", "region_code": "63.03", "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"}},
    {"title": "Puskesmas tutup saat jam layanan", "body": "Puskesmas Pahandut tutup pukul 10 pagi padahal jadwal buka sampai 14.00.",
     "category": "health", "region_code": "62.71", "anonymous": True, "reporter": {"phone": "081298765432"}},
    {"title": "KTP elektronik belum jadi", "body": "Sudah enam bulan sejak perekaman, KTP elektronik saya belum juga dicetak.",
     "category": "population_admin", "region_code": "63.72", "confidential": True,
     "reporter": {"name": "Budi", "email": "budi@example.com"}},
    # no topic given: the classifier routes it, and the triage reads the danger in it
    {"title": "Pasien ditolak IGD", "body": "Ayah saya sesak napas dan ditolak IGD rumah sakit di Martapura karena "
     "kartu BPJS katanya belum aktif. Sekarang kondisinya makin lemah.", "region_code": "63.03",
     "reporter": {"phone": "081255500123"}},
    {"title": "Lampu jalan mati", "body": "lampu jln di jl veteran kelayan mati smua udh 2 mgg, gelap bgt klo malam",
     "region_code": "63.71", "reporter": {"phone": "081255500124"}},
]


def main() -> None:
    with httpx.Client(base_url="http://127.0.0.1:8001", timeout=10) as client:
        for report in DEMO:
            r = client.post("/v1/reports", json=report)
            r.raise_for_status()
            body = r.json()
            print(f"[demo] {body['tracking_id']}  {report['title']}\n"
                  f"       private link: http://127.0.0.1:8000/lapor/{body['tracking_id']}?k={body['reporter_token']}")


if __name__ == "__main__":
    main()
