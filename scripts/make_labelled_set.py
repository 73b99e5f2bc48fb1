"""Writes data/routing/labelled.csv: the project's own labelled complaints for the classifier.

Synthetic and written for this project: no real complaint is in it. For each of the 21
categories of the taxonomy there are 18 to 21 phrasings (templates), written by hand in the
registers citizens use when they write to LAPOR!:

* formal web complaints of two to four sentences (who, where, since when, what was tried);
* short SMS lines with the usual shorthand (yg, tdk, blm, udh, krn, tlg, mhn ...);
* some in bahasa Banjar (kada, ulun, pian, banyu, handil ...), some mixing in English
  ("no response", "please help"), some naming a second topic in passing: the label is the
  agency that must act on the main problem.

Each template also says whether the complaint is urgent (danger to life or health that must be
handled at once: a patient turned away, fire, flood inside homes, a collapsed bridge with
people falling, a live cable down, violence, poisoning; see notes/taxonomy.md). Urgent and
non-urgent templates share categories, and some non-urgent ones use "darurat" or "segera"
loosely, so urgency is not a keyword.

Code then makes about ten rows per template, deterministically (a seeded ``random.Random``):
it fills ``{p}`` (a neighbourhood or village), ``{jl}`` (a street of the same town),
``{kota}`` (the town or regency), ``{n}`` (2-9), ``{nn}`` (12-60), ``{rp}`` / ``{rb}`` (an amount)
with real places of Kalimantan Selatan and Tengah, and sometimes adds a greeting or closing,
rewrites words in SMS shorthand or drops their vowels, puts one typo in, or changes case.
Rows of the ``sms`` channel are at most 160 characters.

Columns: ``text, category, group, channel, urgent``. ``group`` is ``<category>-<template index>``
and is shared by every row made from one template, so a benchmark can hold out whole phrasings
rather than near-copies of training lines.

    .venv/bin/python -m scripts.make_labelled_set
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "routing" / "labelled.csv"
ROWS_PER_TEMPLATE = 10
SMS_LIMIT = 160
SEED = 1708


@dataclass(frozen=True)
class Region:
    names: tuple[str, ...]  # how people write the town or regency
    kalsel: bool  # Kalimantan Selatan (where bahasa Banjar is spoken)
    urban: tuple[str, ...]
    rural: tuple[str, ...]
    streets: tuple[str, ...]


REGIONS = [
    Region(("Banjarmasin", "Kota Banjarmasin"), True,
           ("Kelayan Selatan", "Kelayan Timur", "Pekauman", "Sungai Miai", "Alalak Utara", "Teluk Dalam",
            "Kuin Utara", "Kuin Cerucuk", "Pemurus Dalam", "Pemurus Baru", "Basirih", "Pelambuan",
            "Sungai Lulut", "Pekapuran Raya", "Kebun Bunga", "Sungai Andai", "Teluk Tiram", "Mantuil",
            "Sungai Bilu", "Seberang Mesjid", "Banua Anyar", "Karang Mekar", "Tanjung Pagar",
            "Belitung Selatan", "Surgi Mufti", "Sungai Jingah"),
           (),
           ("Sultan Adam", "A. Yani", "Kayu Tangi", "Pramuka", "Veteran", "Pangeran Antasari", "Hasan Basry",
            "Gatot Subroto", "Sutoyo S", "Belitung Darat", "Lambung Mangkurat", "Adhyaksa", "Tembus Mantuil",
            "Kelayan A", "Pekapuran", "Teluk Tiram Darat", "Cendrawasih")),
    Region(("Banjarbaru",), True,
           ("Landasan Ulin Timur", "Landasan Ulin Utara", "Loktabat Utara", "Loktabat Selatan", "Guntung Manggis",
            "Kemuning", "Sungai Besar", "Komet", "Mentaos", "Guntung Paikat", "Sungai Ulin", "Syamsudin Noor"),
           ("Cempaka", "Liang Anggang", "Bangkal", "Palam", "Sungai Tiung", "Guntung Payung"),
           ("A. Yani", "Trikora", "Panglima Batur", "Mistar Cokrokusumo", "Karang Anyar", "Golf", "RO Ulin",
            "Guntung Manggis")),
    Region(("Martapura", "Kabupaten Banjar"), True,
           ("Sekumpul", "Pasayangan", "Keraton", "Tanjung Rema", "Sungai Paring", "Indrasari", "Kertak Hanyar",
            "Gambut"),
           ("Astambul", "Mataraman", "Karang Intan", "Aranio", "Simpang Empat", "Pengaron", "Sungai Pinang",
            "Tatah Makmur", "Beruntung Baru", "Aluh-Aluh", "Sungai Tabuk", "Cindai Alus", "Sungai Batang",
            "Tambak Anyar", "Kiram"),
           ("A. Yani", "Sekumpul", "Menteri Empat", "Indrasari", "Pendidikan", "Martapura Lama")),
    Region(("Palangka Raya", "Palangkaraya", "Kota Palangka Raya"), False,
           ("Pahandut", "Pahandut Seberang", "Langkai", "Panarung", "Menteng", "Palangka", "Bukit Tunggal",
            "Tumbang Rungan", "Kereng Bangkirai", "Sabaru", "Bereng Bengkel"),
           ("Kalampangan", "Kameloh Baru", "Tumbang Tahai", "Tangkiling", "Marang", "Banturung",
            "Petuk Katimpun"),
           ("Tjilik Riwut", "G. Obos", "RTA Milono", "Yos Sudarso", "Diponegoro", "Ahmad Yani", "Imam Bonjol",
            "Mahir Mahar", "Temanggung Tilung", "Rajawali", "Beliang", "Seth Adji", "Adonis Samad")),
    Region(("Kasongan", "Kabupaten Katingan", "Katingan"), False,
           ("Kasongan Lama", "Kasongan Baru"),
           ("Tumbang Samba", "Pendahara", "Tumbang Lahang", "Hampangen", "Pegatan", "Mendawai", "Baun Bango",
            "Jahanjang", "Tumbang Hiran"),
           ("Tjilik Riwut", "Sanaman Mantikei", "Trans Kalimantan", "Pendidikan", "Pahlawan")),
]
AMOUNTS = ["Rp50.000", "Rp75.000", "Rp100.000", "Rp150.000", "Rp200.000", "Rp250.000", "Rp300.000",
           "Rp500.000", "Rp750.000", "Rp1.500.000"]
AMOUNTS_SMS = ["20rb", "25rb", "50rb", "75rb", "100rb", "150rb", "200rb", "300rb"]


@dataclass(frozen=True)
class T:
    text: str
    channel: str = "web"
    urgent: bool = False
    banjar: bool = False  # bahasa Banjar (or a Kalsel-only name): placed in Kalimantan Selatan
    rural: bool = False  # a village setting: placed in a rural place


def web(text: str, urgent: bool = False, banjar: bool = False, rural: bool = False) -> T:
    return T(text, "web", urgent, banjar, rural)


def sms(text: str, urgent: bool = False, banjar: bool = False, rural: bool = False) -> T:
    return T(text, "sms", urgent, banjar, rural)


U = True  # urgent

TEMPLATES: dict[str, list[T]] = {
    "population_admin": [
        web("Saya sudah melakukan perekaman KTP elektronik di Disdukcapil {kota} sejak {n} bulan lalu, tetapi "
            "sampai sekarang KTP saya belum juga dicetak. Setiap kali datang, petugas hanya bilang blanko kosong "
            "dan disuruh menunggu. Padahal KTP itu saya perlukan untuk melamar kerja."),
        web("Saya dan istri menikah {n} bulan lalu dan sudah mengajukan pisah kartu keluarga lewat kantor "
            "kecamatan {p}. Berkas sudah lengkap (buku nikah, KK lama, surat pengantar RT), tetapi KK baru belum "
            "terbit. Akibatnya anak kami yang baru lahir belum bisa didaftarkan BPJS."),
        web("Anak saya lahir di RSUD {kota} dan katanya akta kelahiran bisa langsung diurus dari rumah sakit. "
            "Sudah {n} minggu berlalu tanpa kabar. Waktu saya tanya ke Dukcapil, berkasnya tidak ditemukan dan "
            "saya disuruh mengulang pengajuan dari awal."),
        web("Mohon bantuan pengurusan akta kematian almarhum ayah saya. Akta itu kami butuhkan untuk mengurus "
            "pensiun ibu dan balik nama sertifikat. Di kelurahan {p} kami disuruh ke kecamatan, di kecamatan "
            "disuruh ke Dukcapil, lalu disuruh kembali ke kelurahan. Sudah {n} kali bolak-balik tanpa hasil."),
        web("NIK saya dinyatakan tidak terdaftar waktu buka rekening di bank dan daftar CPNS, padahal KTP saya "
            "asli dan masih berlaku. Setelah dicek, data saya di database kependudukan tertukar dengan orang lain "
            "yang namanya mirip. Mohon Disdukcapil {kota} memperbaiki data saya."),
        web("Saya pindah dari luar provinsi ke {p}, {kota}, dan sudah membawa surat pindah (SKPWNI) dari daerah "
            "asal. Namun data saya belum muncul di sistem sehingga KTP dengan alamat baru tidak bisa dicetak. "
            "Petugas bilang menunggu sinkronisasi pusat, dan itu sudah {n} minggu."),
        web("Sekolah anak saya mewajibkan Kartu Identitas Anak (KIA) untuk pendaftaran. Saya sudah mengajukan di "
            "Mal Pelayanan Publik {kota} sejak {n} minggu lalu tetapi katanya blanko KIA habis. Kapan ada "
            "kepastian KIA bisa dicetak?"),
        web("Layanan online Dukcapil {kota} lewat WhatsApp tidak pernah dibalas. Permohonan perubahan status "
            "perkawinan di KK sudah saya kirim {n} minggu lalu. Datang langsung pun percuma karena nomor antrean "
            "sudah habis sebelum jam sembilan pagi."),
        web("Mohon perbaikan data di KTP saya. Pekerjaan masih tertulis pelajar padahal saya sudah bekerja, dan "
            "golongan darah kosong. Saya sudah membawa surat keterangan kerja ke Disdukcapil {kota} sesuai "
            "permintaan petugas, tetapi KTP baru tetap belum dicetak sampai sekarang."),
        web("Orang tua saya sudah lansia dan lumpuh karena stroke sehingga tidak bisa datang untuk perekaman "
            "KTP-el. Kami sudah minta layanan jemput bola ke rumah kami di {p} sejak {n} bulan lalu, tetapi belum "
            "ada petugas Dukcapil yang datang."),
        sms("ktp sy udh {n} bln blm jadi, tiap ke dukcapil {kota} dibilang blanko habis. tlg dibantu"),
        sms("KK sy salah tulis nama & tgl lahir, udh ngurus ke kecamatan {p} tp blm dibetulkan jg"),
        sms("mau cetak ulang ktp yg hilang disuruh bawa surat kehilangan dr polisi, udh dibawa tp msh ditolak. "
            "gmn ini"),
        sms("akta lahir anak sy blm jadi, already submit online {n} minggu lalu tp no response. please help"),
        sms("ulun sdh {n} kali ka dukcapil handak ambil KTP, kada jua jadi. kaya apa ini pian?", banjar=True),
        sms("NIK anak sy blm masuk KK, jd gk bs daftar sekolah. mhn dibantu dukcapil {kota}"),
        sms("DARURAT!! ktp sy hilang, bsk hrs berangkat kerja ke luar kota. di {p} blanko kosong. gmn ini"),
        web("Tanggal lahir di akta kelahiran saya berbeda dengan yang tercatat di KK dan ijazah. Untuk "
            "membetulkannya, Disdukcapil {kota} meminta penetapan pengadilan, padahal menurut informasi yang saya "
            "baca cukup dengan dokumen pendukung. Mohon penjelasan prosedur yang benar."),
        sms("akta kematian bapak sy blm terbit udh {n} minggu, pdhl butuh utk urus pensiun. dukcapil {kota} tlg "
            "dipercepat"),
        sms("urus surat pindah dr {p} ke luar kota lama bgt, udh {n} minggu SKPWNI nya blm keluar"),
        sms("KIA anak sy udh diajukan {n} bln lalu blm jg dicetak, katanya blanko kosong trs"),
    ],
    "health": [
        web("Ibu saya sesak napas berat dan kami bawa ke IGD RSUD {kota} malam ini, tetapi ditolak dengan alasan "
            "tempat tidur penuh dan tidak dirujuk ke mana pun. Sekarang beliau masih di mobil di depan rumah "
            "sakit dan makin lemas. Tolong segera dibantu!", U),
        sms("tlg pak anak sy kejang2 di IGD RS {kota} tp blm ditangani krn BPJS nya dibilang tdk aktif. mhn "
            "segera", U),
        sms("ada warga {p} pingsan di jln, ambulans puskesmas gk bs dihubungi udh {n}0 menit. tlg kirim "
            "ambulans skrg", U),
        web("Sejak {n} hari terakhir puluhan warga RT 0{n} {p} muntah dan diare setelah makan di acara hajatan. "
            "Beberapa anak sudah lemas dan puskesmas kewalahan menampung pasien. Mohon tim kesehatan segera "
            "turun.", U),
        sms("pasien stroke di {p} kada dilayani di RS, ujar harus bayar dulu krn BPJS nunggak. tolong banar pak, "
            "parah sdh", U, banjar=True),
        web("Istri saya akan melahirkan dan mengalami pendarahan, tetapi di puskesmas {p} tidak ada bidan jaga "
            "dan ambulans tidak ada sopirnya. Kami sudah menunggu lebih dari satu jam. Mohon bantuan segera.",
            U, rural=True),
        web("Setiap kali kontrol ke puskesmas {p}, obat hipertensi dan diabetes untuk ayah saya selalu kosong. "
            "Kami disuruh membeli sendiri di apotek luar padahal kami peserta BPJS. Sudah {n} bulan seperti ini."),
        web("Antrean di poli penyakit dalam RSUD {kota} sangat panjang. Saya datang jam enam pagi untuk ambil "
            "nomor, baru dipanggil jam dua siang, dan dokter memeriksa tidak sampai lima menit. Antrean online "
            "lewat Mobile JKN juga tidak berlaku di sana."),
        web("Kartu BPJS Kesehatan PBI keluarga kami tiba-tiba dinonaktifkan tanpa pemberitahuan. Kami baru tahu "
            "waktu berobat ke puskesmas {p} dan disuruh bayar sebagai pasien umum. Kami keluarga tidak mampu dan "
            "tidak sanggup membayar iuran mandiri."),
        web("Dokter di puskesmas pembantu desa {p} hanya datang seminggu sekali, selebihnya yang melayani hanya "
            "perawat. Warga yang sakit agak berat harus menyeberang pakai klotok ke kecamatan. Kami mohon ada "
            "dokter yang menetap.", rural=True),
        web("Ayah saya dirawat di rumah sakit swasta di {kota} dengan BPJS kelas 2, tetapi keluarga disuruh "
            "membeli sendiri obat dan cairan infus dengan alasan tidak ditanggung. Total sudah keluar {rp}. "
            "Setahu kami semua itu ditanggung BPJS."),
        web("Ini darurat! Sudah {n} bulan jadwal operasi katarak ibu saya di RSUD {kota} terus diundur, rujukan "
            "BPJS-nya sampai harus diperpanjang dua kali. Penglihatan beliau makin kabur. Mohon kejelasan "
            "jadwalnya."),
        web("Kamar mandi bangsal kelas 3 RSUD {kota} kotor, airnya tidak mengalir dan AC di ruang perawatan "
            "rusak. Keluarga pasien sampai tidur di lorong karena tidak ada ruang tunggu. Mohon manajemen rumah "
            "sakit memperhatikan."),
        sms("posyandu di {p} udh {n} bln gk ada kegiatan, anak sy blm imunisasi campak. bidannya kemana?"),
        sms("pelayanan puskesmas {p} lama bgt, buka jam 8 tp petugas baru dtg jam 9. pasien nunggu dr subuh"),
        sms("iuran BPJS kesehatan sy udh dibayar tp status msh nunggak, complain ke kantor BPJS {kota} "
            "berkali2 but no response"),
        sms("tatamba di puskesmas {p} kada ada, disuruh tukar di apotek. duit kada ada pak, kaya apa ini",
            banjar=True),
        sms("ambulans desa {p} rusak udh {n} bln, kl ada warga sakit hrs sewa mobil. mhn diperbaiki", rural=True),
        web("Jadwal imunisasi dasar di posyandu {p} sudah dua kali dibatalkan karena vaksinnya tidak tersedia. "
            "Bidan desa menyarankan kami ke puskesmas kecamatan yang jauh. Anak saya sudah terlambat imunisasi "
            "hampir dua bulan."),
        sms("DBD mewabah di {p}, udh {n} anak dirawat & 1 meninggal. blm ada fogging dr puskesmas. tlg segera",
            U),
        sms("sy pindah faskes BPJS ke puskesmas {p} udh {n} bln tp msh terdaftar di klinik lama, jd ditolak "
            "berobat"),
    ],
    "education": [
        web("Rumah kami di {p} hanya sekitar 500 meter dari SMP negeri terdekat, tetapi anak saya tidak diterima "
            "lewat jalur zonasi. Sementara ada siswa dari kecamatan lain yang diterima dengan KK numpang di "
            "alamat dekat sekolah. Mohon PPDB {kota} diaudit."),
        web("SD negeri di {p} meminta uang perpisahan kelas 6 dan uang buku sebesar {rp} per siswa. Katanya "
            "sudah disepakati komite, padahal orang tua tidak pernah diajak rapat. Bagi kami yang buruh harian, "
            "jumlah itu sangat berat."),
        web("Ijazah anak saya ditahan oleh SMA swasta di {kota} karena masih ada tunggakan SPP. Anak saya sudah "
            "diterima bekerja dan diminta menyerahkan ijazah asli minggu ini. Apakah sekolah boleh menahan "
            "ijazah?"),
        web("Anak saya terdaftar sebagai penerima Program Indonesia Pintar (KIP), tetapi dana semester ini belum "
            "kami terima. Kata pihak sekolah, buku tabungannya dipegang sekolah dan dananya dipakai untuk biaya "
            "kegiatan. Kami tidak pernah diberi tahu rinciannya."),
        web("SD negeri di {p} hanya punya tiga guru untuk enam kelas, jadi satu guru mengajar dua kelas "
            "sekaligus. Guru honorer yang ada sering berhenti karena honornya kecil dan telat dibayar. Mohon "
            "dinas pendidikan menambah guru.", rural=True),
        web("Kami wali murid SMP di {p} mempertanyakan penggunaan dana BOS. Laporan penggunaannya tidak pernah "
            "ditempel di papan pengumuman, sementara siswa masih disuruh membeli LKS dan membayar iuran "
            "ekstrakurikuler."),
        web("Atap dua ruang kelas di SD {p} bocor dan plafonnya jebol sejak {n} bulan lalu. Kalau hujan, murid "
            "dipindah belajar di teras atau di musala. Sudah dilaporkan ke dinas pendidikan tetapi belum ada "
            "perbaikan."),
        web("Anak saya sering dirundung teman sekelasnya di SMP {p}: diejek, barangnya disembunyikan, dan "
            "diancam. Sudah kami laporkan ke wali kelas dan guru BK sejak {n} minggu lalu tetapi tidak ada "
            "tindakan. Sekarang anak saya tidak mau berangkat sekolah."),
        web("Lulusan SMP di kecamatan {p} harus melanjutkan ke SMA di {kota} yang jaraknya lebih dari 40 km, "
            "karena di kecamatan kami belum ada SMA negeri. Banyak anak akhirnya putus sekolah atau langsung "
            "bekerja. Kami mohon dibangun SMA atau kelas jauh.", rural=True),
        sms("sklh anak sy di {p} wajib beli seragam batik & olahraga di koperasi sklh, harga {rb}. mahal bgt pak"),
        sms("ijazah SMP sy rusak kena banjir, mau minta surat keterangan pengganti ke sekolah dipersulit. gmn "
            "caranya"),
        sms("guru honorer di sd {p} blm terima honor dr dana bos udh {n} bln. tlg diperhatikan"),
        sms("web PPDB {kota} error trs pas hari terakhir pendaftaran, already try {n} times. please perpanjang "
            "waktunya"),
        sms("anak ulun kada dapat sekolah negeri, ujar zonasi kejauhan. padahal rumah di {p} parak haja lawan "
            "sekolah. kaya apa ini?", banjar=True),
        sms("dana PIP anak sy dipotong {rb} sm pihak sklh, katanya utk administrasi. apa boleh?"),
        sms("di SD {p} murid disuruh ikut les bayar tiap bln sm guru kelasnya, yg gk ikut nilainya dikurangi"),
        sms("ijazah anak sy ditahan sklh krn nunggak uang komite {rb}. pdhl mau daftar kuliah"),
        sms("dana bos sd {p} gk transparan, ortu murid gk pernah dikasih laporan. tlg diaudit"),
        sms("atap kelas SD {p} bocor & plafon mau jatuh, murid belajar di teras. kpn direhab?"),
    ],
    "infrastructure": [
        web("Jembatan gantung di desa {p} putus sore tadi saat dilewati warga. Beberapa orang dan sepeda motor "
            "jatuh ke sungai dan sebagian belum ditemukan. Mohon bantuan tim penyelamat dan dinas terkait "
            "segera!", U, rural=True),
        sms("titian ulin di {p} roboh pas anak2 pulang sekolah, ada yg jatuh ka sungai. tolong lakasi!!", U,
            banjar=True),
        sms("jembatan kayu di {p} ambruk wkt dilewati, 2 motor nyebur ke sungai, pengendaranya blm ketemu. tlg "
            "cepat!!", U),
        web("Jalan {jl} di sekitar {p} berlubang di banyak titik dengan kedalaman hampir sejengkal. Saat hujan "
            "lubangnya tertutup genangan sehingga tidak terlihat, dan sudah beberapa pengendara motor jatuh. "
            "Sudah {n} bulan tidak ada perbaikan."),
        web("Jalan desa sepanjang kurang lebih {n} kilometer di {p} masih berupa tanah merah. Saat musim hujan "
            "jalannya licin dan berlumpur, anak sekolah sering terjatuh dan hasil kebun tidak bisa dibawa keluar. "
            "Kami sudah mengusulkan pengerasan jalan lewat musrenbang sejak tahun lalu.", rural=True),
        web("Aspal Jalan {jl} baru diperbaiki {n} bulan lalu, tetapi sekarang sudah mengelupas dan bergelombang "
            "lagi. Kami curiga pekerjaannya asal-asalan dan tidak sesuai spesifikasi. Mohon dinas PUPR memeriksa "
            "kontraktornya."),
        web("Trotoar di sepanjang Jalan {jl} banyak yang rusak: paving block lepas, ada bagian yang amblas dan "
            "berlubang. Pejalan kaki, terutama lansia dan penyandang disabilitas, terpaksa berjalan di badan "
            "jalan yang ramai."),
        web("Jembatan penghubung antara {p} dan desa sebelah sudah miring dan beberapa tiangnya keropos. Warga "
            "memasang tanda seadanya dan mobil dilarang lewat, sehingga hasil panen harus dipikul. Mohon segera "
            "dibangun jembatan baru sebelum terjadi musibah."),
        web("Jalan poros {p} menuju {kota} rusak parah karena setiap hari dilewati truk batu bara dan sawit "
            "yang bermuatan berlebih. Di musim kemarau debunya tebal, di musim hujan jalannya seperti kubangan. "
            "Mohon jalan diperbaiki dan tonase truk dibatasi."),
        web("Jalan kampung di {p} rusak banar, kalau hujan kada kawa dilewati kendaraan. Warga yang handak "
            "membawa hasil panen ka pasar terpaksa lewat jukung. Sudah lawas kami minta diperbaiki.", banjar=True),
        sms("jln {jl} rusak parah, lubang dmn2, tiap malam ada aja yg jatuh. knp gk diperbaiki2"),
        sms("jembatan di {p} lantainya udh bolong2, papan ulinnya lapuk. mobil gk bs lewat lg. mhn diganti"),
        sms("jalan ke {p} rusak berat, road damage everywhere, udh lapor ke desa tp no action. please help PUPR"),
        sms("bekas galian pipa di pinggir jln {jl} gk ditutup lg, aspalnya amblas & berlubang"),
        sms("darurat jln berlubang di dpn SD {p}, sdh {n} bln gk ditambal. tlg diperhatikan"),
        sms("jln gang di RT 0{n} {p} msh tanah, blm pernah disemenisasi. kalo hujan becek bgt"),
        web("Jembatan beton di Jalan {jl} ambruk tadi pagi pada jam sibuk. Sebuah mobil pikap ikut jatuh ke "
            "sungai dan sopirnya masih terjebak di dalam kabin. Warga mencoba menolong dengan tali. Mohon "
            "bantuan segera!", U),
        web("Gang di RT 0{n} {p} hanya berupa titian kayu dan jalan tanah yang becek. Sejak {n} tahun lalu kami "
            "mengusulkan pengecoran jalan lewat kelurahan, tetapi selalu ditunda dengan alasan anggaran."),
        sms("trotoar di jln {jl} bnyk yg ambles & paving lepas, pejalan kaki hrs turun ke jln"),
        sms("aspal jln {jl} baru dikerjain bln lalu udh ngelupas & retak lg. proyek asal2an"),
    ],
    "drainage_flooding": [
        web("Saluran drainase di sepanjang Jalan {jl} tersumbat sampah dan lumpur. Setiap hujan deras air meluap "
            "dan menggenangi jalan setinggi betis, baru surut setelah {n} jam. Mohon salurannya dikeruk."),
        web("Setiap air pasang besar, kawasan {p} terendam banjir rob. Air menggenangi jalan kampung dan "
            "halaman, lalu bertahan berhari-hari karena pintu air tidak berfungsi. Ini terjadi setiap tahun, "
            "kami berharap ada tanggul atau pompa."),
        web("Gorong-gorong di bawah jalan masuk {p} terlalu kecil dan sudah tertimbun tanah. Air dari perumahan "
            "di atas tidak bisa mengalir ke sungai, sehingga selokan depan rumah warga tergenang dan berbau. "
            "Sudah lapor ke kelurahan {n} kali."),
        web("Handil di belakang permukiman {p} sudah dangkal dan penuh eceng gondok. Dulu banyunya lancar ka "
            "batang banyu, sekarang mampet dan setiap musim hujan kebun serta halaman warga tergenang. Mohon "
            "dilakukan normalisasi handil.", banjar=True),
        web("Proyek pembangunan drainase di {p} dikerjakan sejak {n} bulan lalu, tetapi sekarang ditinggalkan "
            "begitu saja. Galian saluran dibiarkan terbuka, tanahnya menumpuk di pinggir jalan, dan air malah "
            "tidak bisa mengalir."),
        web("Pembangunan ruko baru di Jalan {jl} menutup saluran air lama, sehingga air hujan dari kampung kami "
            "tidak punya jalan keluar. Akibatnya gang di RT 0{n} {p} selalu tergenang setiap hujan. Mohon dinas "
            "juga memeriksa izin bangunan tersebut."),
        web("Kawasan {p} langganan banjir setiap musim hujan, genangan di jalan bisa selutut dan bertahan {n} "
            "hari. Kami tidak minta bantuan darurat, kami minta solusi jangka panjang: normalisasi sungai dan "
            "perbaikan rumah pompa."),
        sms("got di dpn rmh sy {p} mampet, airnya item & bau. udh {n} minggu gk dibersihin"),
        sms("tiap hujan jln {jl} jd kolam, drainase gk jalan. udh tahunan bgini"),
        sms("handil di {p} tasumbat, banyu kada mengalir. kaya apa kalo hujan lagi?", banjar=True),
        sms("genangan air depan sklh {p} gk surut2 sejak kemarin, sdh complain via aplikasi but no response"),
        sms("darurat!! saluran air di {p} meluap tiap hujan, genangan sampe 2 hari. mhn segera dikeruk"),
        sms("saluran di {p} penuh sampah plastik, tlg dibersihkan sblm musim hujan"),
        sms("pompa air di {p} mati, genangan di jln gk surut2 udh {n} hr"),
        sms("sungai kecil di blkg {p} dangkal & sempit krn bangunan, tlg dinormalisasi biar gk genangan trs"),
        web("Sungai di tengah {kota} makin dangkal dan sempit karena endapan lumpur dan bangunan di bantaran. "
            "Saat hujan deras, air dari saluran tidak bisa masuk ke sungai sehingga kawasan {p} tergenang. Mohon "
            "normalisasi sungai dilanjutkan."),
        sms("gorong2 di jln {jl} tersumbat tanah & sampah, air gk bs lewat. tiap hujan genangan"),
        sms("air pasang naik lg di {p}, jln kampung tergenang tiap sore. kpn dibangun tanggul/pintu air?"),
    ],
    "waste": [
        web("Sampah di TPS {p} sudah {n} hari tidak diangkut. Tumpukannya meluber sampai ke badan jalan, baunya "
            "menyengat dan banyak lalat. Warga sudah membayar retribusi setiap bulan tetapi truk sampah tidak "
            "datang."),
        web("Tetangga di RT 0{n} {p} setiap sore membakar sampah plastik di pekarangan. Asapnya masuk ke rumah "
            "kami dan anak saya yang punya asma sering batuk. Sudah ditegur baik-baik tetapi tidak diindahkan."),
        web("TPA di {kota} sudah melebihi kapasitas. Gunungan sampah makin dekat ke permukiman dan air lindinya "
            "mengalir ke sawah warga. Kami minta pengelolaan TPA diperbaiki, tidak hanya ditumpuk terbuka."),
        web("Retribusi sampah kami ditagih bersama rekening PDAM sebesar {rp} per bulan, tetapi di gang kami di "
            "{p} tidak pernah ada petugas yang mengangkut sampah. Kami harus membuang sendiri ke TPS yang "
            "jauh."),
        web("Bank sampah di {p} yang dulu dibina dinas sekarang tidak aktif lagi. Warga sudah memilah plastik "
            "dan kardus, tetapi tidak ada yang menampung. Mohon pendampingan agar bank sampah bisa berjalan "
            "kembali."),
        web("Lahan kosong di ujung Jalan {jl} berubah menjadi tempat pembuangan sampah liar. Setiap malam ada "
            "mobil pikap yang membuang sampah di sana. Sekarang tumpukannya setinggi orang dewasa dan mulai "
            "dibakar orang."),
        web("Kontainer sampah di pasar {p} sudah rusak dan berkarat, bagian bawahnya bolong sehingga air sampah "
            "menetes ke jalan. Pedagang mengeluh karena baunya mengganggu pembeli."),
        web("Banyak warga membuang sampah ke TPS di Jalan {jl} pada pagi dan siang hari, di luar jam buang "
            "sampah yang ditentukan, sehingga TPS selalu meluber. Mohon ada pengawasan dan sosialisasi jam "
            "buang sampah."),
        sms("tps di jln {jl} penuh, sampah numpuk smp ke jln. bau bgt, bnyk lalat"),
        sms("truk sampah udh {n} hr gk lewat di {p}. sampah rmh tangga menumpuk dpn rmh"),
        sms("bnyk org buang sampah sembarangan di pinggir jln {jl} pdhl ada larangan. tlg dijaga / pasang cctv"),
        sms("sampah di pinggir batang banyu {p} bahambur, urang buang haja. tolong dipasang tong sampah",
            banjar=True),
        sms("jadwal angkut sampah di {p} gk jelas, kdg seminggu sekali. pls fix the schedule, sampah udh "
            "overload"),
        sms("mhn SEGERA diangkut sampah di TPS {p}, udh seminggu. ini darurat sampah!"),
        sms("tong sampah di taman {kota} pd rusak & hilang, sampah berserakan"),
        sms("org bakar sampah tiap sore di lahan kosong {p}, asapnya masuk rmh. anak sy batuk2"),
        sms("retribusi sampah ditagih tiap bln tp sampah gk pernah diangkut di gang kami {p}. buat apa bayar?"),
        sms("bau TPA {kota} nyampe ke permukiman kalo angin, lalat bnyk bgt. kpn dikelola bener?"),
    ],
    "water": [
        web("Air PDAM di {p} sudah {n} hari tidak mengalir sama sekali. Kami terpaksa membeli air galon untuk "
            "masak dan menumpang mandi di rumah saudara. Tidak ada pemberitahuan gangguan, dan telepon "
            "pengaduan PDAM tidak diangkat."),
        web("Air PDAM yang mengalir ke rumah kami di {p} berwarna cokelat dan berbau lumpur, terutama pagi hari. "
            "Kalau ditampung, endapannya tebal. Kami khawatir anak-anak gatal-gatal karena mandi dengan air "
            "itu."),
        web("Tagihan PDAM bulan ini {rp}, padahal biasanya hanya sepertiganya. Pemakaian kami tidak berubah. "
            "Waktu komplain ke kantor PDAM {kota}, petugas bilang mungkin salah catat meter, tetapi kami tetap "
            "disuruh bayar dulu."),
        web("Meteran air di rumah saya di {p} rusak sejak {n} bulan lalu, jarumnya tidak berputar. Saya sudah "
            "melapor dan membayar biaya penggantian, tetapi petugas belum datang memasang meteran baru, sementara "
            "tagihan tetap dihitung rata-rata."),
        web("Saya mengajukan sambungan baru PDAM di {p} sejak {n} bulan lalu dan sudah membayar biaya "
            "pendaftaran. Tetangga yang mendaftar belakangan sudah dipasang. Setiap ditanya, jawabannya jaringan "
            "pipa belum sampai."),
        web("Perbaikan pipa PDAM di Jalan {jl} katanya sudah selesai, tetapi air di rumah kami masih mati sejak "
            "{n} hari. Bekas galian pipanya juga dibiarkan berlubang di pinggir jalan."),
        web("Sambungan air kami diputus PDAM karena dianggap menunggak {n} bulan, padahal saya punya bukti "
            "pembayaran lewat minimarket. Sekarang kami malah diminta membayar biaya penyambungan kembali. Mohon "
            "data pembayaran saya dicek ulang."),
        web("Rumah kami di {p} ada di ujung jaringan sehingga tekanan air PDAM sangat kecil. Air hanya menetes "
            "dan bak mandi baru penuh setelah semalaman. Kami sudah memasang pompa tetapi tetap tidak membantu."),
        web("Desa {p} belum terjangkau jaringan air bersih. Warga memakai air sungai dan air hujan, dan di musim "
            "kemarau air sungai surut dan keruh. Sumur bor bantuan tahun lalu juga sudah rusak pompanya.",
            rural=True),
        sms("pipa pdam bocor di jln {jl}, air nyembur ke jln udh {n} hr. sayang airnya terbuang"),
        sms("air pdam di {p} cm ngalir tengah malam, itu jg kecil bgt. siang mati total"),
        sms("banyu PDAM di {p} kada mengalir sudah {n} hari. ulun kada kawa mandi, tolong lah pian", banjar=True),
        sms("air pdam di {p} terasa asin sejak kemarau, gk bs dipake masak. kpn normal lg?"),
        sms("pdam {kota} pls check, air mati since monday, no info at all. telp call center gk diangkat"),
        sms("darurat air!! {n} hr gk ngalir di {p}, tlg kirim mobil tangki air"),
        sms("meteran air sy dicuri org, lapor pdam malah disuruh bayar meteran baru. gmn ini"),
        sms("air pdam di {p} keruh kecoklatan & bau lumpur tiap pagi, gk bs buat mandi"),
        sms("tagihan pdam sy naik jd {rb} pdhl pemakaian biasa. meter dicatat asal2an kyknya"),
        sms("sumur bor bantuan di desa {p} rusak pompanya, warga balik pake air sungai. mhn diperbaiki",
            rural=True),
    ],
    "electricity": [
        sms("kabel PLN putus jatuh ke jln di {p} & masih nyala, ada percikan api. anak2 main dkt situ. tlg "
            "cepat!!", U),
        web("Kabel listrik tegangan menengah putus dan menjuntai sampai ke tanah di {p} setelah tertimpa dahan. "
            "Kabelnya masih bertegangan, tadi ada kucing yang tersengat mati. Warga berjaga supaya tidak ada yang "
            "mendekat, mohon PLN segera memutus aliran.", U),
        sms("tiang PLN roboh menimpa atap rumah di {p}, kabel msh bertegangan & korslet. tlg matikan listriknya "
            "skrg", U),
        web("Listrik di {p} padam hampir setiap hari, kadang dua sampai tiga kali sehari tanpa jadwal yang "
            "jelas. Banyak peralatan elektronik kami rusak dan usaha jahit saya terganggu. Kami minta PLN {kota} "
            "memberi penjelasan."),
        web("Tagihan listrik pascabayar kami bulan ini naik menjadi {rp} padahal pemakaian seperti biasa. "
            "Setelah saya cek, angka stand meter di tagihan tidak sama dengan angka di kWh meter rumah. Mohon PLN "
            "mengoreksi tagihan."),
        web("Tegangan listrik di RT 0{n} {p} sangat rendah setiap malam: lampu redup dan kulkas tidak mau "
            "menyala. Kami menduga trafo di ujung gang kelebihan beban karena banyak rumah baru. Mohon trafonya "
            "diganti atau ditambah."),
        web("Saya mengajukan pasang baru listrik 900 VA lewat PLN Mobile {n} bulan lalu dan sudah membayar biaya "
            "penyambungan. Statusnya masih menunggu survei. Rumah kami di {p} sudah selesai dibangun tetapi belum "
            "bisa ditempati tanpa listrik."),
        web("Tiang listrik PLN di Jalan {jl} sudah miring dan kabelnya menggantung rendah, hampir tersangkut "
            "truk yang lewat. Sudah kami foto dan laporkan lewat PLN Mobile {n} minggu lalu, tetapi belum ada "
            "perbaikan."),
        web("Kabel sambungan rumah dari tiang ke rumah kami di {p} tertutup dahan pohon dan bergesekan setiap "
            "angin kencang. Kami minta PLN memangkas pohon dan merapikan kabelnya sebelum terjadi masalah."),
        web("Sebagian warga desa {p} sampai sekarang belum menikmati listrik PLN dan masih memakai genset dengan "
            "solar yang mahal. Tiang sudah dipasang sejak tahun lalu tetapi kabelnya belum ditarik. Kami mohon "
            "kepastian kapan listrik masuk.", rural=True),
        sms("beli token listrik {rb} saldo udh kepotong tp kode token gk keluar. CS PLN blg tunggu 1x24 jam, "
            "udh {n} hr"),
        sms("lampu mati di {p} dr jam 5 sore smp skrg, gk ada info pemadaman. knp PLN?"),
        sms("listrik di {p} pajah tarus, sehari {n} kali. parabot rumah rusak sdh", banjar=True),
        sms("kwh meter prabayar sy bunyi trs & error 'periksa', udh lapor PLN {kota} via app but no response"),
        sms("DARURAT lampu sering padam di {p}, tiap malam gelap gulita. anak2 gk bs belajar"),
        sms("PLN pasang tiang baru pas di depan pagar rmh sy di {p} tanpa izin. mhn dipindah"),
        sms("tegangan listrik di {p} turun tiap magrib, lampu redup & kulkas gk nyala. trafo kelebihan beban"),
        sms("tagihan listrik sy bln ini {rb} lebih mahal dr biasa, pdhl pemakaian sama. tlg PLN cek meter"),
        sms("udh daftar pasang baru PLN {n} bln lalu & udh bayar, kwh meternya blm dipasang jg"),
    ],
    "street_lighting": [
        web("Lampu penerangan jalan umum di sepanjang Jalan {jl} mati sejak {n} minggu lalu. Malam hari jalannya "
            "gelap gulita dan rawan jambret; beberapa warga sudah menjadi korban. Mohon PJU segera diperbaiki."),
        web("Tiang PJU di depan {p} berkarat di bagian bawah dan mulai miring ke arah jalan. Lampunya juga sudah "
            "lama tidak menyala. Kami khawatir tiang itu suatu saat roboh menimpa pengendara."),
        web("Lampu-lampu di taman kota di {kota} banyak yang mati dan sebagian kabelnya dicuri. Malam hari taman "
            "menjadi gelap dan dipakai nongkrong anak muda yang mabuk-mabukan. Mohon lampu taman diperbaiki."),
        web("Lampu jalan di Jalan {jl} justru menyala terus di siang hari, sementara malam hari sebagian malah "
            "mati. Sepertinya timer atau sensornya rusak. Ini pemborosan listrik yang dibayar dari pajak warga."),
        web("Jalan penghubung antara {p} dan jalan raya sepanjang kurang lebih {n} ratus meter belum ada lampu "
            "penerangan sama sekali. Banyak pekerja yang pulang shift malam lewat jalan ini. Kami mohon dipasang "
            "PJU."),
        web("PJU tenaga surya yang dipasang di jalan desa {p} tahun lalu sekarang hanya menyala satu dua jam "
            "setelah magrib lalu padam. Baterainya kemungkinan rusak atau hilang. Dari {nn} titik, yang masih "
            "hidup tinggal beberapa.", rural=True),
        web("Tiang lampu jalan di simpang {p} roboh ditabrak truk sekitar {n} minggu lalu dan sampai sekarang "
            "masih tergeletak di trotoar. Lampunya tentu tidak berfungsi, sehingga simpang itu gelap di malam "
            "hari."),
        web("Lampu hias dan lampu taman di kawasan tepian sungai {kota} banyak yang padam, padahal kawasan itu "
            "ramai dikunjungi warga dan wisatawan pada malam hari. Mohon dinas terkait mengganti lampu yang "
            "rusak."),
        sms("lampu jln di {jl} mati semua, gelap bgt kalo malem. udh {n} minggu"),
        sms("PJU dpn masjid {p} mati, warga pulang sholat subuh gelap2an. tlg diganti lampunya"),
        sms("lampu jalan di {p} pajah sudah lawas, kada dibaiki. malam kalam banar", banjar=True),
        sms("street light di jln {jl} mati since last month, udh report tp no response. rawan kecelakaan"),
        sms("lampu PJU di jembatan {p} kedap kedip trs, kdg mati total. mhn dicek"),
        sms("pintu panel lampu jln di {jl} terbuka, kabelnya keliatan. tlg ditutup & dikunci"),
        sms("mhn segera!! lampu jln di gang {p} mati, anak gadis pulang kerja malam takut lewat"),
        sms("lampu taman di {p} mati semua, kabelnya dicuri. taman jd gelap & rawan"),
        sms("tiang lampu jln di {jl} miring hampir rubuh, lampunya jg udh lama mati"),
        sms("jln baru di {p} blm ada lampu jln sama sekali, mhn dipasang PJU"),
    ],
    "transport": [
        web("Juru parkir di depan minimarket di Jalan {jl} meminta Rp5.000 untuk motor, padahal minimarket itu "
            "menyatakan parkir gratis. Jukirnya tidak memakai rompi resmi dan tidak memberi karcis. Mohon "
            "Dishub menertibkan."),
        web("Lampu lalu lintas di simpang empat {p} sudah {n} hari mati total. Pada jam sibuk kendaraan saling "
            "serobot dan beberapa kali hampir tabrakan. Tidak ada petugas yang mengatur lalu lintas di sana."),
        web("Angkutan kota (taksi kuning) jurusan {p} sekarang hampir tidak ada yang beroperasi. Anak sekolah "
            "dan ibu-ibu ke pasar terpaksa naik ojek yang jauh lebih mahal. Mohon Dinas Perhubungan menghidupkan "
            "trayek itu atau menambah rute bus."),
        web("Klotok penyeberangan dari {p} ke seberang sungai sering mengangkut penumpang dan sepeda motor "
            "melebihi kapasitas, dan tidak ada pelampung sama sekali. Kami khawatir terjadi kecelakaan seperti "
            "yang pernah terjadi dulu. Mohon ada pengawasan."),
        web("Kondisi terminal bus di {kota} memprihatinkan: toilet rusak, ruang tunggu bocor, dan banyak calo "
            "tiket yang memaksa penumpang. Penumpang perempuan merasa tidak aman menunggu bus malam di sana."),
        web("Alat uji KIR di Dishub {kota} rusak sudah {n} minggu sehingga truk angkutan barang kami tidak bisa "
            "diuji dan buku KIR-nya kedaluwarsa. Akibatnya sopir kami sering ditilang di jalan."),
        web("Truk-truk besar masih melintas di jalan-jalan utama {kota} pada jam sibuk siang hari, padahal ada "
            "larangan. Jalan macet dan membahayakan anak sekolah yang bersepeda. Mohon Dishub menertibkan jam "
            "operasional truk."),
        web("Rambu dan marka di tikungan tajam Jalan {jl} sudah hilang dan pudar. Pengendara dari luar daerah "
            "sering tidak sadar ada tikungan dan keluar jalur. Mohon dipasang rambu peringatan dan zebra cross di "
            "depan sekolah."),
        sms("parkir liar di bahu jln {jl} bikin macet tiap sore, jukirnya malah ngatur mobil parkir 2 lapis"),
        sms("traffic light simpang {p} merahnya lama bgt, ijo cuma 10 detik. antrian panjang smp jembatan"),
        sms("klotok ka {p} kada ada lagi wayah sore, ulun bulik gawian kada kawa pulang. tolong diatur "
            "jadwalnya", banjar=True),
        sms("bus trans banjarbakula sering telat {n}0 menit, halte gk ada jadwal. pls improve public transport",
            banjar=True),
        sms("ojek pangkalan di terminal {p} maksa penumpang, ojol gk boleh ambil penumpang. tarif mahal bgt"),
        sms("angkot jurusan {p} ngetem lama di simpang, penumpang dioper2. sopirnya ugal2an"),
        sms("darurat parkir!! jukir di pasar {p} minta 5rb utk motor, gk ada karcis"),
        web("Kapal motor reguler dari {kota} ke desa-desa di hulu sungai sering berangkat tanpa jadwal pasti "
            "dan tarifnya dinaikkan sepihak oleh pemilik kapal. Penumpang juga tidak diberi pelampung. Mohon "
            "Dishub mengawasi angkutan sungai ini."),
        web("Kawasan pasar {p} macet setiap pagi karena angkot berhenti sembarangan menunggu penumpang dan "
            "parkir motor memakan badan jalan. Tidak ada petugas Dishub yang mengatur lalu lintas di sana."),
        sms("lampu merah simpang {jl} mati udh {n} hr, kendaraan saling serobot. dishub tlg diperbaiki"),
        sms("uji KIR di dishub {kota} antre lama bgt, alatnya sering rusak. buku KIR sy keburu mati"),
        sms("terminal {kota} kotor, toilet rusak & bnyk calo tiket. gk nyaman bgt"),
    ],
    "social_welfare": [
        web("Di sebuah rumah di RT 0{n} {p} ada dua anak kecil yang ditinggal orang tuanya sejak beberapa hari. "
            "Mereka kelaparan dan tidur tanpa alas, salah satunya demam tinggi. Tetangga memberi makan seadanya. "
            "Mohon dinas sosial segera menjemput anak-anak ini.", U),
        sms("anak tetangga sy di {p} tiap malam dipukuli ayah tirinya, badannya lebam2. tlg segera "
            "diselamatkan", U),
        sms("ada lansia terlantar tidur di emperan toko jln {jl}, sakit & gk bs jalan. tlg dinsos jemput skrg",
            U),
        web("Bantuan PKH keluarga kami dihentikan sejak tahap lalu tanpa pemberitahuan. Pendamping bilang kami "
            "sudah dianggap mampu, padahal suami saya tidak bekerja lagi dan kami masih mengontrak di {p}. Mohon "
            "pendataan ulang."),
        web("Saldo kartu sembako (BPNT) kami tidak bisa dicairkan di e-warung {p} dengan alasan saldonya nol, "
            "padahal di aplikasi Cek Bansos tertulis sudah disalurkan. Kami juga dipaksa mengambil paket "
            "sembako yang isinya tidak sesuai nilai bantuan."),
        web("Keluarga saya benar-benar tidak mampu tetapi tidak pernah masuk DTKS. Sudah {n} kali mengajukan "
            "lewat RT dan kelurahan {p}, tetapi nama kami tidak muncul saat musyawarah. Sementara tetangga yang "
            "punya mobil justru menerima bantuan."),
        web("Anak saya penyandang disabilitas (cerebral palsy) dan membutuhkan kursi roda. Kami sudah mengajukan "
            "bantuan alat bantu ke Dinas Sosial {kota} sejak {n} bulan lalu, tetapi belum ada kabar sama "
            "sekali."),
        web("Panti asuhan di {p} yang menampung {nn} anak kekurangan biaya makan, dan atap asramanya bocor. "
            "Bantuan dari dinas sosial yang dijanjikan tahun ini belum diterima. Kami berharap ada perhatian."),
        web("Penyaluran bantuan beras 10 kg di kelurahan {p} tidak tepat sasaran. Yang menerima justru keluarga "
            "pengurus RT dan kerabatnya, sementara janda dan lansia di gang kami tidak dapat. Kami minta daftar "
            "penerima diumumkan terbuka."),
        sms("BLT di {p} blm cair pdhl nama sy ada di daftar penerima. kapan cairnya?"),
        sms("nenek sy umur 80 thn hidup sendiri di {p}, blm pernah dpt bantuan lansia. mhn didata"),
        sms("ulun kada dapat bantuan PKH lagi, ujar pendamping nama ulun dikeluarkan. padahal kami miskin "
            "banar", banjar=True),
        sms("nama sy hilang dr DTKS, bansos stop since last year. udh ke dinsos {kota} tp disuruh tunggu"),
        sms("mhn segera cairkan PKH tahap ini, anak sy mau bayar sekolah. sdh telat {n} bln"),
        sms("kartu KKS sy hilang, mau urus ganti di dinsos dipingpong ke bank. gmn prosedurnya"),
        web("Kami menemukan seorang anak perempuan berusia sekitar delapan tahun di {p} dengan luka bakar dan "
            "memar di tubuhnya. Ia mengaku sering disiksa oleh kerabat tempat ia tinggal. Mohon dinas sosial dan "
            "unit perlindungan anak segera mengamankan anak ini.", U),
        sms("saldo BPNT sy kosong udh {n} bln, di e-warung blg blm masuk. pdhl di aplikasi udh cair"),
        sms("anak sy disabilitas tuna rungu blm pernah dpt bantuan alat bantu dengar. dinsos {kota} tlg didata"),
    ],
    "employment": [
        web("Saya bekerja di perusahaan perkebunan sawit di {kota} dan gaji kami sudah {n} bulan tidak dibayar "
            "penuh. Setiap ditanya, mandor bilang perusahaan sedang rugi. Kami sudah melapor ke manajemen tetapi "
            "tidak ada kejelasan."),
        web("Saya di-PHK sepihak oleh toko tempat saya bekerja di Jalan {jl} setelah {n} tahun bekerja, tanpa "
            "pesangon dan tanpa surat. Alasannya karena saya sempat izin sakit seminggu. Saya mohon Disnaker "
            "membantu mediasi."),
        web("Menjelang lebaran, perusahaan tempat kami bekerja di {p} tidak membayar THR. Karyawan kontrak hanya "
            "diberi parsel sembako. Kami takut melapor karena diancam kontraknya tidak diperpanjang."),
        web("Saat mau mencairkan JHT BPJS Ketenagakerjaan setelah berhenti kerja, ternyata iuran saya tidak "
            "disetor perusahaan selama {nn} bulan, padahal gaji saya tiap bulan dipotong untuk itu. Perusahaan "
            "beralasan sedang kesulitan keuangan."),
        web("Pekerja di sebuah rumah makan di {p} digaji jauh di bawah UMK {kota}, hanya {rp} per bulan dengan "
            "jam kerja 12 jam sehari tanpa libur. Tidak ada kontrak kerja tertulis dan lembur tidak dibayar."),
        web("Adik saya berangkat menjadi pekerja migran ke Malaysia lewat agen di {kota} sejak {n} bulan lalu. "
            "Sekarang dia sulit dihubungi, gajinya tidak dibayar dan paspornya ditahan majikan. Kantor agen yang "
            "memberangkatkan juga sudah tutup. Mohon bantuan."),
        web("Di perusahaan tambang di wilayah {p} banyak tenaga kerja asing yang bekerja sebagai buruh kasar, "
            "seperti operator alat berat dan tukang las, pekerjaan yang bisa dikerjakan warga lokal. Pemuda "
            "setempat yang melamar selalu ditolak.", rural=True),
        web("Saya mendaftar pelatihan kerja di Balai Latihan Kerja {kota} untuk kejuruan las sejak awal tahun, "
            "tetapi pelatihannya terus diundur tanpa kabar. Kami pencari kerja sangat membutuhkan sertifikat "
            "pelatihan untuk melamar."),
        web("Kami tenaga outsourcing kebersihan di sebuah kantor di {kota}. Gaji sering telat sampai dua bulan "
            "dan potongan BPJS Ketenagakerjaan tidak jelas. Ketika kami protes, vendor mengancam memberhentikan "
            "kami."),
        sms("mau bikin kartu kuning (AK1) di disnaker {kota} katanya online tp webnya gk bs dibuka2. gmn "
            "caranya?"),
        sms("gaji sy dibawah UMK, lembur gk dibayar. perusahaan di {p}. takut lapor nanti dipecat"),
        sms("ulun sudah {n} bulan bagawi di toko, gajih kada dibayar-bayar. bos bapandir tunggu haja",
            banjar=True),
        sms("di-PHK tanpa pesangon after 5 years kerja, HRD bilang no money. mhn bantuan disnaker {kota}"),
        sms("perkebunan sawit di {p} mempekerjakan anak dibawah umur, gk ada APD jg. tlg disnaker turun",
            rural=True),
        sms("tmn sy kecelakaan kerja di pabrik {p}, jarinya putus, tp gk didaftarin BPJS TK. biaya RS "
            "ditanggung sendiri"),
        sms("SEGERA!! THR blm dibayar pdhl lebaran tinggal {n} hr lg. perusahaan di jln {jl}"),
        sms("iuran BPJS TK sy gk disetor perusahaan pdhl gaji dipotong tiap bln. JHT gk bs dicairkan"),
        sms("keluarga sy kerja di malaysia lewat calo, skrg gk bs dihubungi {n} bln. mhn bantuan disnaker"),
        sms("pelatihan kerja BLK {kota} kpn dibuka? udh daftar dr awal thn blm dipanggil"),
    ],
    "licensing": [
        web("Saya mengajukan Persetujuan Bangunan Gedung (PBG) untuk ruko di {p} lewat SIMBG sejak {n} bulan "
            "lalu. Statusnya berhenti di verifikasi teknis dan tidak ada petugas yang bisa dihubungi. Pembangunan "
            "jadi tertunda dan kami rugi."),
        web("Saya pelaku UMKM di {kota} dan ingin membuat NIB lewat OSS untuk usaha kue rumahan. KBLI yang cocok "
            "tidak ketemu dan sistem terus meminta persyaratan lingkungan yang tidak saya pahami. Di DPMPTSP saya "
            "malah disuruh mengurus sendiri secara online."),
        web("Waktu mengurus izin usaha di kantor DPMPTSP {kota}, seorang oknum menawarkan jasa agar izin cepat "
            "keluar dengan biaya {rp}. Katanya lewat jalur biasa bisa berbulan-bulan. Padahal di website tertulis "
            "layanan perizinan gratis."),
        web("Banyak baliho dan papan reklame di Jalan {jl} dipasang tanpa izin dan menutupi rambu lalu lintas. "
            "Kami juga mempertanyakan izin videotron besar di simpang {p}. Mohon izin reklamenya diperiksa."),
        web("Kami mempertanyakan izin gedung sarang burung walet empat lantai yang baru dibangun di tengah "
            "permukiman {p}. Warga tidak pernah dimintai persetujuan, dan suara pemanggil waletnya bising siang "
            "malam. Mohon PBG dan izin usahanya dicek."),
        web("Kami investor yang hendak membuka pabrik pengolahan ikan di {kota}. Perizinan berusaha berbasis "
            "risiko di OSS sudah selesai, tetapi rekomendasi teknis dari dinas terkait tidak kunjung keluar "
            "selama {n} bulan tanpa penjelasan. Kepastian waktu sangat penting bagi kami."),
        web("Rumah saya dibangun dengan IMB lama dan sekarang bank meminta PBG dan SLF untuk pengajuan kredit. "
            "Petugas di Mal Pelayanan Publik {kota} memberi informasi persyaratan yang berbeda-beda setiap kali "
            "saya datang."),
        web("Pengajuan izin operasional klinik pratama kami di {p} sudah {n} bulan belum terbit. Semua "
            "persyaratan sudah diunggah, tetapi setiap ganti petugas kami diminta melengkapi dokumen yang sama "
            "lagi."),
        sms("urus NIB di OSS udh {n} minggu, status msh 'proses verifikasi'. mhn info DPMPTSP {kota}"),
        sms("izin usaha warung sy ditolak krn katanya zona perumahan, pdhl di sebelah bnyk toko. knp beda2?"),
        sms("ulun handak maurus izin usaha di DPMPTSP, tapi disuruh bulik-bulik haja. kapan jadinya izin "
            "ulun?", banjar=True),
        sms("apply PBG online since {n} months, still pending, no feedback dr dinas. pls fix the process"),
        sms("mhn kejelasan biaya retribusi PBG, petugas minta {rb} tanpa kwitansi. resmi gk itu?"),
        sms("izin reklame toko sy udh bayar pajaknya tp papannya tetep dicopot. gmn ngurus izinnya yg benar?"),
        sms("tlg SEGERA terbitkan izin usaha sy, sewa ruko udh jln {n} bln. rugi pak"),
        web("Izin usaha toko bangunan saya di {p} harus diperbarui, tetapi sistem OSS meminta data yang tidak ada "
            "di izin lama. Petugas DPMPTSP {kota} hanya menyarankan konsultasi lewat email yang tidak pernah "
            "dibalas. Usaha saya terancam tidak punya izin yang sah."),
        sms("NIB dr OSS sy salah KBLI, mau ubah di DPMPTSP {kota} disuruh online lg. gk ada yg bantu"),
        sms("mau pasang papan reklame di dpn toko, izin reklame di {kota} ribet & lama. udh {n} minggu blm "
            "keluar"),
    ],
    "public_order": [
        sms("ada perkelahian antar pemuda pake senjata tajam di {p} skrg, ada yg luka. tlg kirim petugas!!", U),
        web("Sekelompok orang mabuk membuat keributan di warung dekat Jalan {jl} dan memukuli seorang pedagang "
            "sampai berdarah. Mereka masih di lokasi dan mengancam warga yang mendekat. Mohon petugas segera "
            "datang.", U),
        sms("tetangga sy di {p} ngamuk bawa parang, mengancam bunuh istrinya. warga takut. tlg kirim petugas "
            "cepat", U),
        web("Pedagang kaki lima di Jalan {jl} memakai seluruh trotoar bahkan sebagian badan jalan, sehingga "
            "pejalan kaki harus turun ke jalan dan lalu lintas macet setiap sore. Mohon Satpol PP menata PKL "
            "tersebut."),
        web("Di sebuah warung di {p} dijual minuman keras oplosan secara terang-terangan. Setiap malam pemuda "
            "berkumpul mabuk-mabukan dan berteriak sampai dini hari. Warga resah tetapi takut menegur."),
        web("Tempat karaoke di Jalan {jl} buka melewati jam operasional sampai pukul tiga pagi dan musiknya "
            "terdengar sampai ke rumah warga. Sering juga ada keributan pengunjung mabuk di parkirannya. Mohon "
            "penertiban."),
        web("Di bahu Jalan {jl} berdiri sejumlah bangunan liar semi permanen untuk warung dan gudang. Bangunan "
            "itu menutup akses jalan warga. Sudah pernah diberi surat peringatan oleh Satpol PP tetapi tidak "
            "juga dibongkar."),
        web("Bengkel las di tengah permukiman RT 0{n} {p} beroperasi sampai larut malam dengan suara gerinda "
            "yang sangat bising. Anak-anak tidak bisa tidur dan belajar. Sudah dimusyawarahkan di RT tetapi "
            "pemilik bengkel tidak peduli."),
        web("Sebuah rumah kos di {p} diduga dijadikan tempat prostitusi terselubung. Setiap malam tamu keluar "
            "masuk dan sering terjadi keributan. Kami minta Satpol PP melakukan razia."),
        sms("balap liar tiap malam minggu di jln {jl}, knalpot brong bising bgt smp subuh. tlg dibubarkan"),
        sms("pengamen & manusia silver di lampu merah {p} makin bnyk, kdg maksa & ketok2 kaca mobil"),
        sms("urang mabuk-mabukan tiap malam di pos ronda {p}, bakuciak kada ampih sampai subuh. tolong pian "
            "tertibkan", banjar=True),
        sms("tetangga di {p} karaoke full volume tiap malem sampe jam 2, so noisy. udh ditegur gk peduli. "
            "please help"),
        sms("PKL di depan pasar {p} makin semrawut, jualan smp tengah jln. satpol pp knp diam aja"),
        sms("darurat kebisingan!! acara organ tunggal di {p} smp jam 1 malam tiap minggu. mhn ditertibkan"),
        web("Anak jalanan dan pengamen berkelompok di simpang lampu merah Jalan {jl} sampai larut malam. "
            "Sebagian memaksa pengendara memberi uang dan memukul kaca mobil yang menolak. Mohon Satpol PP "
            "melakukan penertiban rutin."),
        sms("warung di {p} jual miras oplosan terang2an, tiap malam org mabuk di pinggir jln"),
        sms("bangunan liar di atas trotoar jln {jl} makin bnyk, satpol pp udh kasih SP tp gk dibongkar"),
        sms("tempat hiburan malam di jln {jl} buka smp subuh, musiknya keras & sering ribut"),
    ],
    "public_safety": [
        sms("kebakaran di {p} skrg!! api udh merembet ke rmh sebelah, damkar blm dtg. tlg cepat kirim", U),
        web("Terjadi kebakaran di pasar {p} sejak pukul {n} pagi. Api cepat membesar karena kiosnya dari kayu, "
            "dan mobil pemadam yang datang baru satu unit. Masih ada pedagang yang berusaha menyelamatkan barang "
            "di dalam. Mohon tambahan armada damkar segera.", U),
        sms("bau gas menyengat dr rumah makan di jln {jl}, tabung elpiji bocor & pemiliknya gk ada. warga panik, "
            "tlg damkar", U),
        sms("rumah di {p} tabakar! api ganal banar, ada urang tuha masih di dalam. tolong lakasi!!", U,
            banjar=True),
        web("Dinding ruko tua di Jalan {jl} runtuh sebagian setelah hujan deras dan menimpa dua orang yang "
            "sedang berteduh. Sisa bangunannya masih miring dan bisa ambruk lagi. Mohon tim penyelamat segera "
            "datang.", U),
        sms("pohon besar tumbang menimpa mobil di jln {jl}, ada org terjepit di dalamnya. tlg cepat evakuasi",
            U),
        sms("anak kecil tercebur ke sumur tua di {p}, msh di dalam. warga gk bs turun. tlg tim rescue skrg", U),
        web("Papan reklame besar di simpang {p} sudah miring dan rangka besinya berkarat. Setiap angin kencang "
            "papan itu bergoyang dan berderit keras. Mohon diperiksa dan dibongkar sebelum menimpa pengendara."),
        web("Beberapa hari ini warga di {p} melihat ular kobra besar masuk ke pekarangan dan kolong rumah "
            "panggung. Kami punya balita dan takut digigit. Mohon bantuan damkar atau tim rescue untuk "
            "menangkapnya."),
        web("Saat kebakaran di {p} minggu lalu, mobil damkar baru tiba {n}0 menit setelah ditelepon dan hidran "
            "di dekat lokasi tidak ada airnya. Akibatnya {n} rumah habis terbakar. Kami minta evaluasi kesiapan "
            "damkar dan perbaikan hidran."),
        web("Pasar {p} yang kiosnya dari kayu tidak punya alat pemadam api ringan, dan lorongnya sempit dipenuhi "
            "barang. Sambungan listrik di los pasar juga semrawut. Kami khawatir terjadi kebakaran seperti di "
            "pasar lain."),
        sms("ada sarang tawon vespa ganal di pohon dkt sekolah {p}, murid2 takut. tlg dievakuasi sarangnya"),
        sms("pohon besar di pinggir jln {jl} udh miring & akarnya terangkat, takut tumbang pas hujan angin. mhn "
            "dipangkas"),
        sms("pohon tumbang nutup jln {jl} abis hujan angin td malam, blm ada yg motong. kendaraan gk bs lewat"),
        sms("hornet nest gede di atap rmh sy {p}, takut anak2 disengat. damkar bisa bantu evakuasi? please"),
        sms("darurat!! ada biawak gede masuk ke kandang ayam warga {p}, ayam udh byk dimakan. tlg ditangkap"),
        web("Bangunan gudang tua di Jalan {jl} sudah kosong bertahun-tahun, dindingnya retak besar dan sebagian "
            "atapnya runtuh. Anak-anak sering bermain di dalamnya. Kami khawatir bangunan itu roboh, mohon "
            "diperiksa dan dibongkar."),
        sms("ada ular sanca besar masuk ke dapur rmh warga di {p}, warga gk berani nangkap. tlg damkar"),
        sms("papan reklame di simpang {p} miring & goyang kena angin, takut roboh ke jln. mhn dibongkar"),
    ],
    "disaster": [
        web("Banjir sudah masuk ke dalam rumah warga di {p} setinggi dada orang dewasa dan air terus naik. Masih "
            "banyak lansia dan balita yang terjebak di loteng dan atap rumah. Kami butuh perahu karet dan tim "
            "evakuasi BPBD sekarang juga.", U),
        sms("air sungai meluap, rmh2 di {p} terendam smp atap. bnyk warga blm dievakuasi, tlg kirim perahu!!", U),
        sms("tanah longsor di {p} menimbun {n} rumah, ada warga yg tertimbun. tlg alat berat & tim sar segera",
            U, rural=True),
        sms("banyu ganal masuk rumah di {p}, sudah sapinggang. urang tuha kada kawa kaluar. tolong lakasi kirim "
            "jukung!!", U, banjar=True),
        web("Seorang anak hanyut terbawa arus sungai saat banjir di {p} sore tadi. Warga sudah menyusuri sungai "
            "tetapi anak itu belum ditemukan. Mohon tim SAR dan BPBD segera membantu pencarian.", U),
        sms("api karhutla udh dkt permukiman {p}, asap tebal, warga mulai ngungsi. tlg kirim pemadam & water "
            "bombing", U, rural=True),
        sms("puting beliung barusan di {p}, puluhan atap rumah terbang, ada warga luka kena seng. mhn bantuan "
            "skrg", U),
        web("Tebing sungai di {p} longsor dan menyeret {n} rumah panggung ke sungai. Rumah-rumah lain di tepian "
            "masih retak dan miring, tetapi penghuninya belum mau mengungsi. Mohon BPBD segera mengevakuasi "
            "warga.", U),
        sms("warga {p} msh terjebak banjir {n} hr, makanan & air bersih habis, bnyk balita. need help asap", U),
        web("Banjir di {p} bulan lalu merendam rumah kami selama dua minggu. Sampai sekarang bantuan korban "
            "banjir belum kami terima, padahal data kami sudah diserahkan ke BPBD lewat kelurahan. Banyak kasur "
            "dan perabot yang rusak."),
        web("Logistik bantuan di posko pengungsian {p} hanya dibagikan kepada warga yang dekat dengan pengurus "
            "posko. Pengungsi dari RT lain harus antre berjam-jam dan sering tidak kebagian. Mohon BPBD mengawasi "
            "pembagiannya."),
        web("Setiap kemarau lahan gambut di sekitar {p} terbakar dan asapnya menyelimuti {kota} berminggu-minggu. "
            "Tahun ini sekat kanal dan sumur bor yang dijanjikan belum dibuat. Kami minta BPBD bersiap sebelum "
            "musim kemarau tiba.", rural=True),
        web("Tadi malam terasa gempa di wilayah {kota}. Dinding rumah kami dan beberapa rumah tetangga di {p} "
            "retak. Mohon BPBD memeriksa apakah rumah masih aman ditempati dan memberi informasi resmi karena "
            "banyak hoaks beredar."),
        sms("rmh sy rusak kena puting beliung {n} minggu lalu, udh didata BPBD tp bantuan blm ada smp skrg"),
        sms("tanah di blkg rmh warga {p} mulai retak2 abis hujan, takut longsor. mhn dicek BPBD"),
        sms("mhn data korban banjir di {p} diperbarui, nama kami gk masuk daftar penerima bantuan BPBD"),
        web("Tanah longsor menutup jalan dan menimbun dua rumah di lereng bukit {p} setelah hujan semalaman. Satu "
            "keluarga belum berhasil dikeluarkan dari reruntuhan. Kami mohon BPBD dan Basarnas segera mengirim "
            "bantuan.", U, rural=True),
        web("Angin puting beliung yang melanda {p} tiga hari lalu merusak belasan rumah dan satu sekolah. Warga "
            "menutup atap dengan terpal seadanya. Sampai sekarang belum ada pendataan kerusakan dan bantuan bahan "
            "bangunan dari BPBD."),
        sms("asap karhutla tebal di {kota} udh {n} hr, jarak pandang pendek & bnyk anak ispa. mhn titik api "
            "dipadamkan"),
        sms("rumah sy retak2 stlh gempa kmrn, mhn tim bpbd cek masih layak huni gk"),
    ],
    "environment": [
        web("Sejak kemarin ikan di sungai dekat {p} mati mendadak setelah pabrik di hulu membuang limbah. Warga "
            "yang memakai air sungai untuk mandi dan masak mual, pusing, dan gatal-gatal, bahkan ada anak yang "
            "dibawa ke puskesmas. Mohon segera ditangani.", U),
        sms("bau gas kimia menyengat dr pabrik di {p}, bnyk warga sesak napas & muntah, ada yg pingsan. tlg cepat "
            "ditindak", U),
        web("Limbah pabrik kelapa sawit di dekat {p} dialirkan ke anak sungai. Airnya hitam pekat dan berbau "
            "busuk, ikan di keramba warga banyak yang mati. Kami sudah lapor ke perusahaan tetapi hanya diberi "
            "janji.", rural=True),
        web("Ada penambangan emas tanpa izin (PETI) di sungai sekitar {p}. Air sungai jadi keruh dan diduga "
            "tercemar merkuri, tepian sungai juga rusak. Kami minta dinas lingkungan hidup dan aparat "
            "menertibkan.", rural=True),
        web("Pohon-pohon besar peneduh di sepanjang Jalan {jl} ditebang habis tanpa pemberitahuan, katanya untuk "
            "pelebaran jalan. Kami mempertanyakan apakah ada kajian lingkungan dan penanaman pengganti."),
        web("Lahan ruang terbuka hijau di {p} yang dulu dijanjikan menjadi taman sekarang dipagar dan akan "
            "dibangun ruko. {kota} sudah sangat kekurangan RTH. Mohon pemerintah mempertahankan lahan itu."),
        web("Peternakan ayam skala besar di dekat permukiman {p} menimbulkan bau menyengat dan lalat yang sangat "
            "banyak, terutama saat panen. Kotorannya juga dibuang ke parit. Mohon DLH memeriksa pengelolaan "
            "limbahnya."),
        web("Limbah medis seperti jarum suntik, botol infus, dan sarung tangan bekas ditemukan dibuang di lahan "
            "kosong dekat {p}. Anak-anak sering bermain di sana. Mohon DLH mengusut siapa yang membuangnya."),
        sms("asap hitam dr cerobong pabrik di {p} tiap malam, jemuran jd item & warga batuk2. knp dibiarkan?"),
        sms("debu batubara dr stockpile di {p} masuk ke rmh warga, lantai & atap jd hitam. tlg DLH cek"),
        sms("batang banyu di {p} sudah hirang banyunya, bau banar. ujar urang pabrik mambuang limbah",
            banjar=True),
        sms("sungai di {p} full of limbah & busa putih, smells bad. udh lapor DLH but no action"),
        sms("penebangan liar di hutan lindung dkt {p}, tiap hr truk kayu lewat. tlg diusut", rural=True),
        sms("darurat lingkungan!! tambang pasir di {p} makin meluas, sungai dangkal & tebingnya tergerus"),
        sms("pabrik karet di {p} bau busuk bgt smp radius 2 km, udh bertahun2 gk ada tindakan"),
        web("Aktivitas stockpile batu bara di dekat {p} menimbulkan debu hitam yang menempel di rumah, jemuran, "
            "dan tanaman warga. Banyak anak batuk-batuk. Kami minta DLH memeriksa izin lingkungan dan memasang "
            "penyiraman debu."),
        sms("pohon2 besar di taman {p} ditebangi tanpa alasan jelas. RTH makin habis. tlg DLH cek"),
        sms("tambang emas ilegal di hulu sungai {p} bikin air keruh & tercemar merkuri. aparat knp diam?",
            rural=True),
        sms("sumur warga {p} tercemar limbah pabrik, bnyk yg muntah2 & diare stlh minum. tlg cepat ditangani", U),
    ],
    "housing": [
        web("Rumah kami di {p} dari kayu yang sudah lapuk, atapnya bocor di banyak tempat dan lantainya miring. "
            "Kami sudah didata untuk program bedah rumah (RTLH) {n} tahun lalu, tetapi sampai sekarang belum ada "
            "realisasi. Mohon kejelasan."),
        web("Kami membeli rumah subsidi di perumahan di {p}. Setelah akad, jalan perumahan masih tanah, "
            "drainasenya tidak dibuat, dan air bersih belum tersambung seperti janji di brosur. Developer "
            "sekarang sulit dihubungi."),
        web("Developer perumahan di {p} belum menyerahkan prasarana, sarana, dan utilitas (PSU) ke pemerintah "
            "daerah meski sudah lebih dari {n} tahun. Akibatnya jalan dan lampu perumahan tidak bisa diperbaiki "
            "pemerintah. Kami minta pemda menagih penyerahan PSU."),
        web("Sertifikat rumah kami belum diberikan oleh developer perumahan di {p}, padahal cicilan KPR sudah "
            "lunas sejak {n} bulan lalu. Developer beralasan sertifikat induknya masih dijaminkan di bank."),
        web("Permukiman di bantaran sungai {p} sangat padat dan kumuh: titian kayu lapuk, tidak ada jamban "
            "sehat, dan sampah menumpuk di kolong rumah. Kami berharap program penataan kawasan kumuh menyentuh "
            "kampung kami."),
        web("Kami penghuni rusunawa di {kota}. Atap blok kami bocor, pompa air sering mati, dan uang sewa naik "
            "tanpa sosialisasi. Pengelola tidak pernah menanggapi keluhan penghuni."),
        web("Bantuan bedah rumah di desa {p} diberikan kepada warga yang rumahnya masih bagus, sementara rumah "
            "seorang janda tua di RT kami yang hampir ambruk tidak dapat. Mohon verifikasi ulang calon "
            "penerima.", rural=True),
        web("Rumah relokasi bantuan pemerintah di {p} yang kami tempati baru setahun sudah rusak: fondasinya "
            "turun, dinding retak, dan kusen pintu dimakan rayap. Mohon pemeriksaan kualitas pembangunannya."),
        sms("rumah subsidi yg sy beli di {p} dindingnya retak2 & atap bocor pdhl baru {n} bln ditempati. "
            "developer lepas tangan"),
        sms("sy udh didata bedah rumah 2x tp gk pernah dpt. rmh udh mau roboh, tiangnya lapuk"),
        sms("rumah ulun di {p} sudah lapuk banar, atap bocor wayah hujan. kapan dapat bantuan bedah rumah?",
            banjar=True),
        sms("rusunawa {kota} maintenance nya parah, toilet rusak, no response dr pengelola. mohon diperhatikan"),
        sms("lahan fasum taman di perumahan {p} mau dijual developer jd kavling. warga keberatan"),
        sms("pendaftaran rusunawa {kota} gmn caranya? sy pekerja gaji kecil, blm punya rmh"),
        sms("mhn segera, developer perumahan {p} kabur, jln & listrik blm ada, sertifikat jg blm"),
        sms("developer perumahan {p} blm serahkan PSU ke pemda, jln perumahan rusak gk ada yg tanggung jawab"),
        sms("kampung kami di {p} kumuh & padat, titian lapuk, gk ada jamban. kpn ada program penataan?"),
        sms("sertifikat rmh sy blm dikasih developer pdhl KPR udh lunas {n} bln lalu"),
    ],
    "agriculture": [
        web("Petani di {p} kesulitan mendapatkan pupuk subsidi Urea dan NPK menjelang musim tanam. Kios "
            "pengecer bilang kuota habis, tetapi pupuk yang sama dijual dengan harga nonsubsidi. Kami minta "
            "pengawasan distribusi pupuk.", rural=True),
        web("Saluran irigasi untuk sawah di {p} rusak dan tertimbun lumpur, sehingga air tidak sampai ke petak "
            "sawah kami. Sudah dua musim kami hanya bisa tanam sekali setahun. Mohon perbaikan jaringan "
            "irigasi.", rural=True),
        web("Harga gabah di tingkat petani di {p} anjlok saat panen raya, jauh di bawah harga pembelian "
            "pemerintah. Tengkulak menekan harga dan gabah kami tidak diserap Bulog. Mohon pemerintah turun "
            "tangan.", rural=True),
        web("Sapi-sapi warga di {p} banyak yang sakit dengan gejala kuku melepuh dan air liur berlebih, dua ekor "
            "sudah mati. Kami sudah melapor ke penyuluh, tetapi petugas kesehatan hewan belum datang memeriksa "
            "dan memberi vaksin.", rural=True),
        web("Nelayan di {p} kesulitan mendapatkan solar bersubsidi untuk perahu karena SPBN sering kosong. "
            "Kalaupun ada, harus beli di pengecer dengan harga jauh lebih mahal. Kartu nelayan yang kami urus juga "
            "belum jadi.", rural=True),
        web("Di desa {p} sudah lebih dari setahun tidak ada penyuluh pertanian yang datang. Kelompok tani kami "
            "kesulitan mendapat pendampingan menghadapi hama wereng dan tikus yang menyerang padi.", rural=True),
        web("Pembudidaya ikan keramba di sungai {p} rugi besar karena ikan nila dan patin mati massal setiap "
            "kemarau. Kami butuh pendampingan dinas perikanan soal kualitas air dan bantuan bibit ikan."),
        web("Bantuan bibit karet dari dinas perkebunan untuk kelompok tani di {p} dijanjikan sejak tahun lalu, "
            "tetapi yang datang hanya sebagian dan banyak bibit sudah mati saat dibagikan.", rural=True),
        sms("bantuan benih padi utk kelompok tani di {p} bnyk yg gk tumbuh, kualitas jelek. rugi musim tanam "
            "ini", rural=True),
        sms("pupuk subsidi di kios {p} dijual di atas HET, {rb} per sak. petani gk sanggup", rural=True),
        sms("pahumaan ulun di {p} kada dapat banyu, irigasi rusak. padi mati kekeringan. tolong pian dinas "
            "pertanian", banjar=True, rural=True),
        sms("kartu tani sy gk bs dipake tebus pupuk, sistem error katanya. already lapor penyuluh but nothing"),
        sms("traktor bantuan utk poktan di {p} dikuasai ketua kelompok, anggota gk bs pake", rural=True),
        sms("hama tikus serang sawah di {p}, udh {n} hektar gagal panen. mhn bantuan racun tikus & penyuluhan",
            rural=True),
        sms("darurat pupuk!! musim tanam udh mulai tp pupuk subsidi kosong di {p}. petani mau tanam gk ada "
            "pupuk", rural=True),
        sms("kambing & sapi warga di {p} bnyk sakit, gk mau makan. mhn petugas keswan dtg", rural=True),
        sms("nelayan di {p} susah dpt solar subsidi, SPBN kosong trs. melaut jd mahal", rural=True),
        sms("harga gabah di {p} jatuh pas panen, tengkulak cm mau beli murah. bulog kmn?", rural=True),
    ],
    "telecommunications": [
        web("Di desa {p} sinyal seluler sangat lemah; untuk menelepon saja warga harus naik ke bukit atau ke "
            "pinggir sungai. Anak sekolah sulit mengerjakan tugas online dan bidan desa sulit menghubungi rumah "
            "sakit untuk rujukan. Kami mohon dibangun BTS.", rural=True),
        web("Tower BTS di {p} sudah berdiri sejak {n} bulan lalu tetapi sampai sekarang belum aktif. Katanya "
            "itu program pemerintah untuk daerah blank spot, tetapi tidak ada kejelasan kapan beroperasi.",
            rural=True),
        web("Wifi gratis di taman dan balai kelurahan {p} yang dipasang pemerintah kota sudah lama tidak bisa "
            "dipakai. Jaringannya muncul tetapi tidak tersambung ke internet. Padahal banyak pelajar yang "
            "bergantung pada wifi itu."),
        web("Situs resmi pemerintah {kota} dan aplikasi layanan onlinenya tidak bisa diakses sejak {n} hari. "
            "Setiap dibuka selalu muncul pesan error atau server sibuk. Mohon Diskominfo segera memperbaikinya."),
        web("Data pribadi saya (nama, NIK, dan nomor HP) yang saya isi di formulir online pendaftaran bantuan "
            "pemerintah daerah ternyata bisa dilihat publik lewat sebuah tautan spreadsheet. Sekarang saya sering "
            "ditelepon penipu. Mohon kebocoran itu ditutup."),
        web("Beredar pesan berantai di grup WhatsApp warga {p} yang menyebut listrik dan PDAM akan mati total "
            "selama seminggu. Banyak warga panik memborong air galon dan lilin. Mohon Diskominfo {kota} "
            "meluruskan informasi ini."),
        web("Tiang dan kabel fiber optik milik provider internet di Jalan {jl} semrawut, banyak kabel menjuntai "
            "rendah dan tiang dipasang tanpa izin di trotoar. Mohon Diskominfo menertibkan penyelenggara "
            "jaringannya."),
        web("Sejak siaran TV analog dihentikan, warga desa {p} tidak bisa menonton TV karena sinyal TV digital "
            "tidak sampai, dan bantuan set top box tidak merata. Mohon ada solusi.", rural=True),
        sms("sinyal HP di {p} ilang2an, internet cm E. mau video call aja susah. tlg bangun tower"),
        sms("internet desa di balai desa {p} mati udh {n} bln, gk ada yg betulin", rural=True),
        sms("di kampung ulun {p} kada ada sinyal, handak manelpon harus ka pinggir batang banyu. kaya apa ini?",
            banjar=True),
        sms("web pemda {kota} down since yesterday, can't access layanan online. pls fix asap"),
        sms("ada akun medsos palsu mengatasnamakan pemda {kota}, minta transfer uang. tlg diblokir"),
        sms("sy dpt sms penipuan pake nama bansos & data KTP sy lengkap. dr mana mereka dpt data sy?"),
        sms("darurat sinyal!! sdh {n} minggu gk ada sinyal sama sekali di {p} sejak tower kena petir"),
        web("Warga desa {p} harus pergi ke kecamatan hanya untuk mendapat sinyal internet. Layanan desa yang "
            "serba online, pendaftaran sekolah, dan pengecekan bansos jadi sangat sulit. Mohon program internet "
            "desa atau BTS segera direalisasikan.", rural=True),
        sms("bnyk hoaks di grup wa warga {p} soal vaksin & bansos. mhn kominfo klarifikasi"),
        sms("wifi gratis di taman kota di {kota} gk bs konek udh lama. tlg diperbaiki"),
        sms("aplikasi layanan online pemda {kota} error trs pas login, kode OTP gk masuk2"),
    ],
    "civil_servants": [
        web("Pagi ini saya melihat dua oknum petugas Satpol PP memukuli seorang pedagang di pasar {p} sampai "
            "pingsan dan berdarah. Korban belum mendapat pertolongan, dan petugas malah mengancam warga yang "
            "merekam. Mohon segera ditindak.", U),
        sms("oknum pegawai kelurahan {p} menampar & menendang warga yg protes antrean, korban luka di kepala. "
            "tlg segera ditindak", U),
        web("Untuk mengurus surat keterangan domisili usaha di kantor kelurahan {p}, saya dimintai uang {rp} "
            "oleh staf tanpa kuitansi. Katanya uang administrasi, padahal tidak ada aturan pungutan untuk surat "
            "itu."),
        web("Pegawai di kantor kecamatan {p} sering tidak ada di tempat pada jam kerja. Pukul sepuluh pagi "
            "loket sudah kosong dan pukul dua siang kantor sudah sepi. Warga yang datang dari desa jauh terpaksa "
            "pulang tanpa dilayani."),
        web("Saat bertanya tentang persyaratan, petugas di loket Mal Pelayanan Publik {kota} membentak saya dan "
            "melempar berkas saya ke meja. Saya sudah tua dan tidak paham aplikasi online, tetapi tidak ada yang "
            "mau membantu. Mohon petugas itu dibina."),
        web("Kami menemukan beberapa ASN di lingkungan pemerintah {kota} ikut mengkampanyekan salah satu calon "
            "kepala daerah di media sosial dan hadir di acara kampanye memakai seragam dinas. Mohon pelanggaran "
            "netralitas ASN ini ditindak."),
        web("Seorang pejabat di salah satu dinas di {kota} meminta uang terima kasih dan jatah persen dari "
            "kontraktor pemenang proyek. Kami punya bukti percakapannya. Mohon inspektorat menindaklanjuti "
            "dugaan gratifikasi ini."),
        web("Pelayanan di kantor kecamatan {p} sangat lambat. Surat rekomendasi yang saya ajukan {n} minggu lalu "
            "belum ditandatangani camat karena selalu dinas luar, dan tidak ada pejabat yang diberi wewenang "
            "menggantikan."),
        web("Perangkat desa di {p} memungut {rp} per bidang untuk program sertifikat tanah gratis (PTSL), jauh "
            "di atas ketentuan. Warga yang tidak membayar diancam tidak diurus berkasnya.", rural=True),
        sms("bnyk calo di dlm kantor dukcapil {kota}, pegawainya kerjasama. yg lewat calo cepet jadi"),
        sms("pegawai dinas di {kota} main HP & ngobrol trs, warga antre dicuekin. pelayanan lambat bgt"),
        sms("pegawai di kantor desa {p} kada suwah ada di kantor, ulun datang 3 kali kada ketemu. gawian kada "
            "jalan", banjar=True),
        sms("oknum ASN minta duit {rb} utk tanda tangan surat, no receipt. this is pungli, tlg ditindak"),
        sms("ASN dinas {kota} jam kerja keliatan belanja di pasar pake seragam. tolong diawasi"),
        sms("darurat pelayanan!! loket kelurahan {p} tutup jam 11, petugas pulang duluan. tiap hr bgt"),
        web("Beberapa pegawai di salah satu kantor dinas di {kota} hanya datang untuk absen pagi lalu pergi, dan "
            "kembali sore untuk absen pulang. Warga yang perlu dilayani siang hari selalu disuruh menunggu atau "
            "datang besok. Mohon atasan dan inspektorat menertibkan."),
        sms("petugas loket kecamatan {p} kasar & membentak warga yg nanya. tlg dibina"),
        sms("bnyk ASN dinas {kota} ikut kampanye calon kepala daerah di medsos, netralitas dmn?"),
        sms("kepala desa {p} minta {rb} utk tanda tangan surat keterangan tdk mampu. pungli kan?"),
    ],
}

# ---------------------------------------------------------------------------------------------
# variation

OPENINGS_WEB = ["Selamat pagi Bapak/Ibu.", "Assalamualaikum wr. wb.", "Yth. Admin LAPOR!,", "Mohon izin melapor.",
                "Selamat siang.", "Kepada Yth. dinas terkait,", "Saya warga {p} ingin menyampaikan keluhan.",
                "Selamat malam, Pak.", "Izin menyampaikan aduan."]
OPENINGS_SMS = ["slmt siang pak,", "assalamualaikum,", "lapor pak,", "pak,", "min,", "mlm pak,", "bu,"]
CLOSINGS_WEB = ["Mohon ditindaklanjuti. Terima kasih.", "Terima kasih atas perhatiannya.",
                "Mohon perhatian dinas terkait.", "Kami berharap ada tindak lanjut secepatnya.",
                "Mohon segera ditindaklanjuti.", "Atas perhatian Bapak/Ibu kami ucapkan terima kasih.",
                "Sudah complain berkali-kali tapi no response.", "Kami tunggu tindak lanjutnya.",
                "Semoga cepat direspons.", "Please help, terima kasih."]
CLOSINGS_SMS = ["tlg ditindak", "mksh", "trims", "mhn bantuannya", "please help", "tq", "tlg pak",
                "mhn ditindaklanjuti", "makasih min", "thx"]
CLOSINGS_BANJAR = ["tolong lah pian", "makasih banar", "tolong pian lah"]
CLOSINGS_URGENT = ["tolong cepat!", "cepat pak!!", "mohon segera!", "please help!!", "tlg skrg jg"]
CLOSINGS_URGENT_WEB = ["Tolong cepat, terima kasih.", "Kami menunggu di lokasi.", "Please help!", "Terima kasih.",
                       "Nomor HP saya aktif untuk dihubungi."]

SHORTHAND: dict[str, list[str]] = {
    "yang": ["yg"], "dengan": ["dgn", "dg"], "tidak": ["tdk", "gk", "ga", "gak"], "belum": ["blm"],
    "sudah": ["udh", "sdh", "udah", "dah"], "karena": ["krn", "karna"], "banyak": ["bnyk", "byk"],
    "saya": ["sy"], "untuk": ["utk"], "tapi": ["tp"], "tetapi": ["tp", "tapi"], "banget": ["bgt"],
"sekarang": ["skrg", "skrng"], "jalan": ["jln", "jl"], "bagaimana": ["gmn", "gimana"],
    "kenapa": ["knp", "napa"], "tolong": ["tlg"], "mohon": ["mhn"], "dari": ["dr"], "kepada": ["kpd"],
    "juga": ["jg"], "lagi": ["lg"], "sama": ["sm"], "kalau": ["klo", "kalo", "kl"], "bisa": ["bs", "bsa"],
    "hari": ["hr"], "bulan": ["bln"], "tahun": ["thn"], "orang": ["org"], "sampai": ["smp", "sampe"],
    "rumah": ["rmh"], "malam": ["mlm", "malem"], "masih": ["msh"], "harus": ["hrs"], "bapak": ["bpk"],
    "sekolah": ["sklh"], "tanggal": ["tgl"], "padahal": ["pdhl"], "seperti": ["spt", "kyk"],
    "kemarin": ["kmrn"], "besok": ["bsk"], "dulu": ["dl"], "terus": ["trs"], "cuma": ["cm"],
    "hanya": ["cm", "cuma"], "setiap": ["tiap"], "begini": ["gini", "bgini"], "katanya": ["ktnya"],
    "minggu": ["mgg"], "tempat": ["tmpt"], "warga": ["wrg"], "segera": ["sgr"], "pemerintah": ["pemda"],
    "bantuan": ["bntuan"], "sekitar": ["skitar"], "terima": ["trima"], "dibantu": ["dibntu"],
}
PHRASES = [(re.compile(r"\bterima kasih\b", re.I), ["trims", "makasih", "mksh"]),
           (re.compile(r"\bdan lain-lain\b", re.I), ["dll"]),
           (re.compile(r"\b(\w+)-\1\b"), [r"\g<1>2"]),  # anak-anak -> anak2
           (re.compile(r"\bberkali-kali\b", re.I), ["berkali2"])]
# a slot, or a word (hyphenated words stay one word)
_TOKEN = re.compile(r"\{\w+\}|[A-Za-z]+(?:-[A-Za-z]+)*")
_VOWELS = set("aiueo")


def _words(text: str, fn) -> str:  # type: ignore[no-untyped-def]
    return _TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith("{") else fn(m.group(0)), text)


def smsify(text: str, rng: random.Random, share: float, drop_vowels: bool = True) -> str:
    """SMS shorthand for about ``share`` of the words that have one, and (``drop_vowels``) the vowels
    of one or two other plain words dropped (``rusak`` -> ``rsk``); one spelling per word within a
    message."""
    for pattern, options in PHRASES:
        if rng.random() < 0.8:
            text = pattern.sub(rng.choice(options), text)
    chosen: dict[str, str] = {}

    def short(word: str) -> str:
        key = word.lower()
        if key not in SHORTHAND or word.isupper() or rng.random() > share:
            return word
        return chosen.setdefault(key, rng.choice(SHORTHAND[key]))

    text = _words(text, short)
    if not drop_vowels:
        return text
    plain = [m for m in _TOKEN.finditer(text) if m.group(0).isalpha() and m.group(0).islower()
             and 5 <= len(m.group(0)) <= 7 and m.group(0) not in SHORTHAND]
    for m in sorted(rng.sample(plain, min(len(plain), rng.choice([0, 1, 1, 2]))), key=lambda m: -m.start()):
        w = m.group(0)
        dropped = w[0] + "".join(c for c in w[1:-1] if c not in _VOWELS) + w[-1]
        text = text[:m.start()] + dropped + text[m.end():]
    return text


def typo(text: str, rng: random.Random) -> str:
    """One slip of the thumb in one lower-case word: two letters swapped, one dropped or doubled."""
    words = [m for m in _TOKEN.finditer(text) if m.group(0).isalpha() and m.group(0).islower()
             and len(m.group(0)) >= 5]
    if not words:
        return text
    m = rng.choice(words)
    w, i = m.group(0), rng.randrange(1, len(m.group(0)) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif kind == "drop":
        w = w[:i] + w[i + 1:]
    else:
        w = w[:i] + w[i] + w[i:]
    return text[:m.start()] + w + text[m.end():]


def slots(template: T, rng: random.Random) -> dict[str, str]:
    regions = [r for r in REGIONS if (r.kalsel or not template.banjar) and (r.rural or not template.rural)]
    region = rng.choice(regions)
    places = region.rural if template.rural else region.urban + region.rural
    return {"p": rng.choice(places), "jl": rng.choice(region.streets), "kota": rng.choice(region.names),
            "n": str(rng.randint(2, 9)), "nn": str(rng.randint(12, 60)), "rp": rng.choice(AMOUNTS),
            "rb": rng.choice(AMOUNTS_SMS)}


def variant(template: T, rng: random.Random) -> str:
    is_sms = template.channel == "sms"
    text = template.text
    if rng.random() < (0.6 if is_sms else 0.1):
        text = smsify(text, rng, share=0.75 if is_sms else 0.4, drop_vowels=is_sms)
    if rng.random() < 0.15:
        text = typo(text, rng)
    if rng.random() < (0.15 if is_sms else 0.3):
        text = f"{rng.choice(OPENINGS_SMS if is_sms else OPENINGS_WEB)} {text}"
    if rng.random() < (0.35 if is_sms else 0.4):
        if template.banjar and rng.random() < 0.6:
            closing = rng.choice(CLOSINGS_BANJAR)
        elif template.urgent:
            closing = rng.choice(CLOSINGS_URGENT if is_sms else CLOSINGS_URGENT_WEB)
        else:
            closing = rng.choice(CLOSINGS_SMS if is_sms else CLOSINGS_WEB)
        text = f"{text}{'' if text[-1] in '.!?' else '.'} {closing}" if not is_sms else f"{text} {closing}"
    text = text.format(**slots(template, rng))
    r = rng.random()
    if r < (0.4 if is_sms else 0.12):
        text = text.lower()
    elif is_sms and r < 0.45:
        text = text.upper()
    return text


def rows(per_template: int = ROWS_PER_TEMPLATE, seed: int = SEED) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(seed)
    out, seen = [], set()
    for category, templates in TEMPLATES.items():
        for index, template in enumerate(templates):
            made = 0
            for _ in range(per_template * 50):
                text = variant(template, rng)
                if text in seen or (template.channel == "sms" and len(text) > SMS_LIMIT):
                    continue
                seen.add(text)
                out.append((text, category, f"{category}-{index}", template.channel, "1" if template.urgent else "0"))
                made += 1
                if made == per_template:
                    break
            if made < per_template:
                raise ValueError(f"{category}-{index}: only {made} distinct rows within {SMS_LIMIT} characters")
    return out


def main() -> None:
    data = rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "category", "group", "channel", "urgent"])
        writer.writerows(data)
    per_category = Counter(r[1] for r in data)
    urgent = Counter(r[1] for r in data if r[4] == "1")
    for category in TEMPLATES:
        print(f"{category:20} {per_category[category]:4} rows, {len(TEMPLATES[category]):2} templates, "
              f"{urgent[category]:3} urgent")
    print(f"wrote {OUT}: {len(data)} rows, {sum(urgent.values()) / len(data):.1%} urgent, "
          f"{sum(r[3] == 'sms' for r in data)} sms")


if __name__ == "__main__":
    main()
