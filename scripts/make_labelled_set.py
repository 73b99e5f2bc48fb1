"""Writes data/routing/labelled.csv: the project's own labelled complaints for the classifier.

Synthetic and written for this project (no real complaint is in it): for each category,
several phrasings (templates) in the register citizens use, with informal spellings and
SMS abbreviations, filled with places and details. The ``group`` column names the template,
so a benchmark can hold out whole phrasings rather than near-copies of training lines.

    .venv/bin/python -m scripts.make_labelled_set
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "routing" / "labelled.csv"
PLACES = ["Martapura", "Kertak Hanyar", "Banjarbaru", "Landasan Ulin", "Kelayan", "Sungai Miai", "Pahandut",
          "Kasongan", "Sei Tabuk", "Gambut", "Cempaka", "Teluk Dalam", "Alalak", "Pekauman"]
TEMPLATES: dict[str, list[str]] = {
    "infrastructure": [
        "Jalan di {p} berlubang besar dan sudah {n} bulan tidak diperbaiki",
        "jln rusak parah dekat pasar {p}, bnyk motor jatuh",
        "Jembatan kayu di {p} lapuk dan hampir putus",
        "Lampu penerangan jalan di {p} mati semua sejak {n} minggu",
        "Drainase di {p} tersumbat, jalan tergenang tiap hujan",
        "aspal jalan poros {p} mengelupas, mohon ditambal",
        "Trotoar di {p} rusak dan berbahaya bagi pejalan kaki",
        "gorong gorong di {p} ambrol, jalan jadi amblas",
    ],
    "health": [
        "Puskesmas {p} tutup saat jam pelayanan, pasien terlantar",
        "obat di puskesmas {p} kosong trs, disuruh beli sendiri",
        "Pasien BPJS ditolak di rumah sakit daerah dekat {p}",
        "Antrian di RSUD terlalu lama, ibu saya menunggu {n} jam",
        "Dokter di puskesmas pembantu {p} jarang datang",
        "bidan desa di {p} minta bayaran padahal program gratis",
        "Ambulans desa {p} tidak bisa dipakai karena rusak",
        "Layanan imunisasi anak di posyandu {p} dihentikan",
    ],
    "population_admin": [
        "KTP elektronik saya belum jadi sudah {n} bulan di Disdukcapil",
        "Kartu keluarga tidak bisa dicetak, blanko habis katanya",
        "urus akta kelahiran anak di {p} dipersulit petugas",
        "Pindah domisili ke {p} tapi data NIK belum berubah",
        "e-ktp rusak mau ganti baru disuruh nunggu {n} minggu",
        "Petugas dukcapil minta uang untuk percepatan KTP",
        "Akta kematian orang tua belum terbit padahal berkas lengkap",
        "NIK saya ganda dengan orang lain, tidak bisa daftar BPJS",
    ],
    "education": [
        "Sekolah dasar di {p} kekurangan guru, satu guru pegang {n} kelas",
        "PPDB zonasi di {p} tidak transparan, anak saya tidak diterima",
        "Dana BOS di sekolah {p} tidak jelas penggunaannya",
        "atap kelas SD di {p} bocor dan hampir roboh",
        "Beasiswa KIP anak saya belum cair sejak semester lalu",
        "guru honorer di {p} belum digaji {n} bulan",
        "Sekolah memungut biaya seragam dan buku yang mahal",
        "Murid di {p} belajar tanpa meja kursi yang layak",
    ],
    "social_welfare": [
        "Bantuan PKH keluarga kami dihentikan tanpa alasan",
        "BLT desa di {p} tidak tepat sasaran, yang mampu malah dapat",
        "kartu sembako sy tdk bisa dipakai sdh {n} bulan",
        "Lansia di {p} tidak pernah dapat bantuan sosial",
        "Penyandang disabilitas di {p} tidak didata untuk bansos",
        "Bantuan beras untuk warga miskin di {p} dipotong pengurus",
        "Data DTKS keluarga saya salah sehingga bantuan tidak cair",
        "Pendamping PKH di {p} meminta potongan dari bantuan",
    ],
    "environment": [
        "Sampah menumpuk di TPS {p} tidak diangkut {n} hari",
        "Pabrik di {p} membuang limbah ke sungai, air jadi hitam",
        "Asap kebakaran lahan di {p} membuat warga sesak napas",
        "banjir di {p} tiap hujan karena sungai dangkal",
        "Bau busuk dari tempat pembuangan sampah dekat {p}",
        "Penebangan liar di hutan dekat {p} dibiarkan",
        "Pembakaran sampah terbuka di {p} mengganggu warga",
        "Tambang pasir ilegal merusak bantaran sungai di {p}",
    ],
    "water": [
        "Air PDAM di {p} mati sudah {n} hari",
        "air pdam keruh dan bau di {p}, gak bisa dipakai",
        "Tagihan air bulan ini naik tiga kali lipat padahal pemakaian sama",
        "Pipa PDAM bocor di {p}, air terbuang percuma",
        "aliran air bersih ke {p} cuma malam hari",
        "Meteran air rusak tapi tetap ditagih mahal",
        "Pemasangan sambungan baru PDAM di {p} tidak kunjung dikerjakan",
        "Air di {p} mengalir kecil sekali sejak {n} minggu",
    ],
    "transport": [
        "Angkutan umum ke {p} tidak beroperasi lagi",
        "Parkir liar di depan pasar {p} bikin macet",
        "Tarif angkot jurusan {p} dinaikkan seenaknya",
        "terminal {p} kotor dan tidak ada penerangan",
        "Lampu lalu lintas di simpang {p} mati, sering tabrakan",
        "Kapal penyeberangan ke {p} sering terlambat berjam-jam",
        "Jukir minta bayaran dua kali di {p}",
        "Bus sekolah untuk anak {p} tidak pernah datang",
    ],
    "public_safety": [
        "Pohon besar tumbang menutup jalan di {p}",
        "Bangunan tua di {p} hampir roboh dan membahayakan warga",
        "kabel listrik putus menjuntai di {p}, bahaya",
        "Kebakaran rumah di {p}, damkar datang terlambat",
        "Tiang listrik miring hampir jatuh di {p}",
        "Tebing longsor mengancam rumah warga di {p}",
        "Balap liar tiap malam di jalan {p} membahayakan",
        "Papan reklame besar di {p} goyang saat angin kencang",
    ],
}


def rows(per_template: int = 8, seed: int = 1708) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for category, templates in TEMPLATES.items():
        for t_index, template in enumerate(templates):
            combos = list(itertools.product(PLACES, range(2, 9)))
            rng.shuffle(combos)
            for place, n in combos[:per_template]:
                text = template.format(p=place, n=n)
                if rng.random() < 0.3:
                    text = text.lower()
                if rng.random() < 0.2:
                    text += rng.choice([" mohon segera ditindaklanjuti", " tolong pak", "!!", " terima kasih"])
                out.append((text, category, f"{category}-{t_index}"))
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "category", "group"])
        writer.writerows(rows())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
