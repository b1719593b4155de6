"""Spelling: which words of a line to check, the dictionaries there are, and a checker with a personal
word list per language.

Dictionaries are Hunspell files used through Enchant (pyenchant): the system's (/usr/share/hunspell
and the like), the ones a user drops into Writer's own dictionary folder, and English (US), which
Writer ships in resources/dictionaries so spelling works with nothing installed. Enchant reads a
folder of its own (ENCHANT_CONFIG_DIR); Writer points it at `dictionary_folder()` and copies the
shipped dictionary there once.

Only prose is checked: the caller skips code and HTML blocks and front matter by the Markdown
structure (writer.core.markdown), and `words()` skips inline code, link targets, autolinks, inline
HTML, URLs and e-mail addresses, words in capitals or with digits, and Chinese, Japanese and Korean
text (written without spaces, it has no words for a Hunspell dictionary to check).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from functools import lru_cache
from pathlib import Path

from writer.core.atomic import write_atomic
from writer.core.errors import UserError
from writer.core.markdown import inline_verbatim
from writer.core.paths import data_dir, resource

SHIPPED = "en_US"
_ORDER = "hunspell,nuspell,aspell,hspell,voikko,zemberek"
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_NOT_PROSE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|&#?\w+;")
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]")
_NOT_A_WORD = re.compile(r"[\d_]")  # with digits or underscores: a code, a number, an identifier
_MAY_SKIP = re.compile(r"[`<\[@&:]|www\.")  # lines without these have nothing inline to skip


def words(line: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words to check in a line of prose (positions are str indexes)."""
    skipped = inline_verbatim(line) + [m.span() for m in _NOT_PROSE.finditer(line)] if _MAY_SKIP.search(line) else []
    out = []
    for m in _WORD.finditer(line):
        word = m.group()
        if (not word.isalpha() and _NOT_A_WORD.search(word)) or (word.isupper() and len(word) > 1):
            continue
        if not word.isascii() and _CJK.search(word):
            continue
        if skipped and any(start < m.end() and m.start() < end for start, end in skipped):
            continue
        out.append((m.start(), m.end(), word))
    return out


def dictionary_folder() -> Path:
    """Enchant's folder for Writer: dictionaries go in its hunspell/ subfolder."""
    return data_dir() / "dictionaries"


def _prepare() -> None:
    """Before Enchant starts: point it at Writer's folder (unless the user chose one) and put the
    shipped English dictionary there."""
    folder = Path(os.environ.get("ENCHANT_CONFIG_DIR") or dictionary_folder())
    os.environ["ENCHANT_CONFIG_DIR"] = str(folder)
    target = folder / "hunspell"
    for suffix in (".aff", ".dic"):
        shipped = resource("dictionaries", SHIPPED + suffix)
        copy = target / (SHIPPED + suffix)
        if shipped.is_file() and not (copy.is_file() and copy.stat().st_size == shipped.stat().st_size):
            try:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shipped, copy)
            except OSError:
                return  # the system's dictionaries still work


@lru_cache(maxsize=1)
def _enchant():
    """The enchant module, or None with the reason kept in _missing (the library is not installed)."""
    _prepare()
    try:
        import enchant
    except (ImportError, OSError) as exc:
        _missing.append(str(exc))
        return None
    return enchant


_missing: list[str] = []


def unavailable_reason() -> str | None:
    return None if _enchant() is not None else (_missing[0] if _missing else "enchant")


@lru_cache(maxsize=1)
def _broker():
    """Enchant's broker (one for Writer, so its dictionary orderings are its own)."""
    enchant = _enchant()
    if enchant is None:
        return None
    return enchant.Broker()


def available() -> list[str]:
    """Dictionary tags ('en_US', 'fr_FR'…), sorted; none without Enchant."""
    broker = _broker()
    return sorted({tag for tag, _provider in broker.list_dicts()}) if broker is not None else []


def choose(language: str | None, tags: list[str], locale_name: str = "") -> str | None:
    """The dictionary for an identified language ('en', 'fr'): the locale's own variant (en_GB for a
    British locale), else the language's common one (en_US, fr_FR), else any variant; None if none."""
    if not language:
        return None
    variants = [t for t in tags if t.split("_")[0].split("-")[0].lower() == language.lower()]
    if not variants:
        return None
    local = locale_name.split(".")[0].replace("-", "_")
    for wanted in (local, f"{language}_{language.upper()}", SHIPPED if language == "en" else None, language):
        if wanted in variants:
            return wanted
    return variants[0]


def personal_list_path(tag: str) -> Path:
    return data_dir() / "spelling" / f"{tag}.txt"


class Speller:
    """One dictionary, the user's words for its language, and the words ignored in this session.
    Calls are serialised by a lock, so a checker may be shared with a worker thread."""

    def __init__(self, tag: str) -> None:
        broker = _broker()
        if broker is None:
            raise UserError("spelling.no_enchant", "Spell checking needs the Enchant library, which is not installed.")
        # Hunspell first, for each tag (system orderings name tags, which a "*" ordering does not
        # override): where Aspell is installed too, the words are the ones the shipped dictionary
        # and the Windows and macOS builds use.
        broker.set_ordering(tag, _ORDER)
        try:
            self._dict = broker.request_dict(tag)
        except _enchant().errors.DictNotFoundError:
            raise UserError("spelling.no_dictionary", "There is no {tag} dictionary; see README to add a language.", tag=tag) from None
        self.tag = tag
        self._lock = threading.Lock()
        self.personal = self._read_personal()
        self.ignored: set[str] = set()

    def _read_personal(self) -> set[str]:
        try:
            return {w.strip() for w in personal_list_path(self.tag).read_text(encoding="utf-8").splitlines() if w.strip()}
        except OSError:
            return set()

    def check(self, word: str) -> bool:
        if word in self.personal or word in self.ignored:
            return True
        with self._lock:
            return self._dict.check(word)

    def suggest(self, word: str, limit: int = 7) -> list[str]:
        with self._lock:
            return self._dict.suggest(word)[:limit]

    def add(self, word: str) -> None:
        """Adds to the personal list, a plain text file with one word a line."""
        self.personal.add(word)
        path = personal_list_path(self.tag)
        try:
            write_atomic(path, ("\n".join(sorted(self.personal)) + "\n").encode("utf-8"))
        except OSError as exc:
            raise UserError("spelling.add_failed", "Could not add “{word}” to {path}: {reason}.", word=word, path=str(path),
                            reason=exc.strerror or str(exc)) from None

    def ignore(self, word: str) -> None:
        self.ignored.add(word)
