"""PTB tokenisation as pycocoevalcap applies it, in pure Python.

pycocoevalcap runs Stanford CoreNLP 3.4.1's ``PTBTokenizer -preserveLines -lowerCase`` over all
captions at once, then drops the tokens in :data:`PUNCTUATIONS`. This module re-implements the
lexer rules of that tokenizer that can occur in captions (words, clitics such as ``'s`` and
``n't``, hyphenated words, numbers, fractions, abbreviations, quotes, brackets, dashes, ellipses,
symbols) with the same longest-match-then-first-rule policy as the JFlex lexer, including its
quirks: brackets become ``-lrb-``/``-rrb-``/``-lsb-``..., ``cannot`` becomes ``can not``,
``"`` becomes `````/``''``.

:func:`tokenize` is what the metrics use; :func:`tokenize_java` runs the original jar (for
tests and comparison) when Java and the jar are available.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from functools import lru_cache
from typing import Sequence

# Tokens pycocoevalcap removes after tokenisation (compared before lower-casing in pycocoevalcap,
# so the bracket tokens, which come out lower-cased, are never removed: a known quirk we keep).
PUNCTUATIONS = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]
)

_SPACE = r"[ \t\u00A0\u2000-\u200A\u3000]"
_NL = r"(?:\r|\r?\n|\u2028|\u2029|\u000B|\u000C|\u0085)"
_SPACENL = rf"(?:{_SPACE}|{_NL})"


def _letter_class() -> str:
    """Character class of Unicode letters (Java's Character.isLetter) in the BMP."""
    ranges, start, prev = [], None, None
    for cp in range(0x10000):
        if unicodedata.category(chr(cp)).startswith("L"):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            ranges.append((start, prev))
            start = None
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"


_LETTER = _letter_class()
_APOS = r"(?:['\u0092\u2019]|&apos;)"
_APOSETC = rf"(?:{_APOS}|[\u0091\u2018\u201B])"
_WORD = rf"(?:{_LETTER}|&[aeiouAEIOU](?:acute|grave|uml);|[\u00AD\u0300-\u036F])+"
_REDAUX = rf"{_APOS}(?i:[msd]|re|ve|ll)"
_SWORD = r"[A-Za-z\u00AD]*[A-MO-Za-mo-z]\u00AD*"
_SREDAUX = rf"[nN]{_APOSETC}[tT]"
_ALNUM = rf"(?:{_LETTER}|\d)"
_NUM = r"(?:\d*(?:[.:,\u00AD\u066B\u066C]\d+)+|\d+)"
_ACRO = r"(?:[A-Za-z](?:\.[A-Za-z])+|(?:Canada|Sino|Korean|EU|Japan|non)-U\.S|U\.S\.-(?:U\.K|U\.S\.S\.R))"
_ABMONTH = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_ABDAYS = r"Mon|Tue|Tues|Wed|Thu|Thurs|Fri"
_ABSTATE = (
    r"Ala|Ariz|Ark|Calif|Colo|Conn|Dak|Del|Fla|Ga|Ill|Ind|Kans?|Ky|La|Mass|Md|Mich|Minn|Miss|Mo|Mont"
    r"|Neb|Nev|Okla|Ore|Pa|Penn|Tenn|Tex|Va|Vt|Wash|Wisc?|Wyo"
)
_ABCOMP = r"Inc|Cos?|Corp|Pp?tys?|Ltd|Plc|Bancorp|Dept|Bhd|Assn|Univ|Intl|Sys"
_ABNUM = r"Nos?|Prop|Ph|tel|est|ext|sq|ft"
_ABPTIT = r"Jr|Sr|Bros|(?:Ed|Ph)\.D|Blvd|Rd|Esq"
_ABTITLE = (
    r"Mr|Mrs|Ms|Miss|Drs?|Profs?|Sens?|Reps?|Attys?|Lt|Col|Gen|Messrs|Govs?|Adm|Rev|Maj|Sgt|Cpl|Pvt"
    r"|Mt|Capt|Ste?|Ave|Pres|Lieut|Hon|Brig|Co?mdr|Pfc|Spc|Supts?|Det"
)
_ABBREV1 = rf"(?i:{_ABMONTH}|{_ABDAYS}|{_ABSTATE}|{_ABCOMP}|{_ABNUM}|{_ABPTIT}|etc|al|seq)\."
_ABBREV4 = rf"(?i:{_ACRO}|a\.k\.a|{_ABTITLE}|vs|Alex|Wm|Jos|Cie|cf|TREAS|Invt|Elec|Natl|M[ft]g|[A-Za-z])"
_HYPHEN = r"[-_\u058A\u2010\u2011]"
_THING_PART = rf"(?:[dDoOlL]{_APOSETC}{_ALNUM})?{_ALNUM}+"
_APOWORDS = [  # alternatives of one rule, each tried separately so the longest wins
    rf"{_APOS}n{_APOS}?", rf"[lLdDjJ]{_APOS}", rf"Dunkin{_APOS}", rf"somethin{_APOS}", rf"ol{_APOS}", rf"{_APOS}em",
    rf"[A-HK-XZn]{_APOSETC}{_LETTER}{{2}}{_LETTER}*", rf"{_APOS}[2-9]0s", rf"{_APOS}till?",
    rf"{_LETTER}+[aeiouyAEIOUY]{_APOSETC}[aeiouA-Z]{_LETTER}*", rf"{_APOS}cause",
    r"cont'd\.?|'twas|nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l",
]
_MISC = (
    "[\u00a6\u00a7\u00a8\u00a9\u00ac\u00ae\u00af\u00b0-\u00ba\u00d7\u00f7\u0387\u2020-\u2023\u2032-\u2038"
    "\u2044\u207a-\u207f\u208a-\u208e\u2100-\u214f\u2116\u2190-\u21ff\u2200-\u22ff\u2300-\u23ff"
    "\u2600-\u26ff\u3012\u30fb\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
_FRAC2 = {"\u00bc": "1/4", "\u00bd": "1/2", "\u00be": "3/4", "\u2153": "1/3", "\u2154": "2/3",
          "\u2155": "1/5", "\u2156": "2/5", "\u2157": "3/5", "\u2158": "4/5", "\u2159": "1/6",
          "\u215a": "5/6", "\u215b": "1/8", "\u215c": "3/8", "\u215d": "5/8", "\u215e": "7/8"}

# Actions: how the matched token text becomes the output token.
_KEEP, _DASH, _AMP, _LEFTQ, _RIGHTQ, _ELLIPSIS, _CURRENCY, _FRACSTR, _SPACEFIX, _SKIP = range(10)
_CURRENCIES = {"\u00a2": "cents", "\u00a3": "#", "\u0080": "$", "\u00a4": "$", "\u20a0": "$", "\u20ac": "$"}
_BRACKETS = {"(": "-LRB-", ")": "-RRB-", "[": "-LSB-", "]": "-RSB-", "{": "-LCB-", "}": "-RCB-"}

# (pattern for the token, pattern for trailing context or "", action, pushback) in rule order.
# As in JFlex, the rule matching the longest text (trailing context included) wins, the first
# rule on ties; the trailing context is then given back, as are `pushback` characters.
_RULES: list[tuple[str, str, int, int]] = [
    (r"(?i:cannot)", "", _KEEP, 3),
    (r"(?i:gonna|gotta|lemme|gimme|wanna)", "", _KEEP, 2),
    (r"<\/?[A-Za-z!][^>]*>", "", _KEEP, 0),
    (r"&(?:MD|mdash|ndash);|[\u0096\u0097\u2013\u2014\u2015]", "", _DASH, 0),
    (r"&amp;", "", _AMP, 0),
    (r"&(?:HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);", "", _KEEP, 0),
    (_WORD, _REDAUX, _KEEP, 0),
    (_SWORD, _SREDAUX, _KEEP, 0),
    (_WORD, "", _KEEP, 0),
    *[(alt, "", _KEEP, 0) for alt in _APOWORDS],
    (r"'tis", "", _KEEP, 2),
    (r"https?://[^ \t\n\f\r\"<>|()]+[^ \t\n\f\r\"<>|.!?(){},-]", "", _KEEP, 0),
    (r"(?:(?:www\.(?:[^ \t\n\f\r\"<>|.!?(){},]+\.)+[a-zA-Z]{2,4})|(?:(?:[^ \t\n\f\r\"`'<>|.!?(){},-_$]+\.)+(?:com|net|org|edu)))"
     r"(?:/[^ \t\n\f\r\"<>|()]+[^ \t\n\f\r\"<>|.!?(){},-])?", "", _KEEP, 0),
    (r"[a-zA-Z0-9][^ \t\n\f\r\"<>|()\u00A0]*@(?:[^ \t\n\f\r\"<>|().\u00A0]+\.)+[a-zA-Z]{2,4}", "", _KEEP, 0),
    (rf"y{_APOS}", _LETTER, _KEEP, 0),
    (_REDAUX, r"[^A-Za-z]", _RIGHTQ, 0),
    (_SREDAUX, "", _RIGHTQ, 0),
    (r"\d{1,2}[-/]\d{1,2}[-/]\d{2,4}", "", _KEEP, 0),
    (rf"[-+]?{_NUM}", "", _KEEP, 0),
    (r"[\u207A\u207B\u208A\u208B]?(?:[\u2070\u00B9\u00B2\u00B3\u2074-\u2079]+|[\u2080-\u2089]+)", "", _KEEP, 0),
    (r"(?:\d{1,4}[- \u00A0])?\d{1,4}(?:\\?/|\u2044)\d{1,4}", "", _SPACEFIX, 0),
    ("[" + "".join(_FRAC2) + "]", "", _FRACSTR, 0),
    (rf"-(?i:RRB|LRB|RCB|LCB|RSB|LSB)-|C\.D\.s|pro-|anti-|S(?:&|&amp;)P-500|S(?:&|&amp;)Ls|Cap{_APOS}n|c{_APOS}est", "", _AMP, 0),
    (r"[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\?/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}", "", _KEEP, 0),
    (r"[A-Z]*\$|#", "", _KEEP, 0),
    (r"[\u00A2\u00A3\u00A4\u00A5\u0080\u20A0\u20AC\u060B\u0E3F\u20A4\uFFE0\uFFE1\uFFE5\uFFE6]", "", _CURRENCY, 0),
    (_ABBREV1, "", _KEEP, 0),
    (rf"{_ABBREV4}\.", "", _KEEP, 0),
    (_ABBREV4, _SPACE, _KEEP, 0),
    (_ACRO, _SPACENL, _KEEP, 0),
    (rf"{_APOS}[0-9][0-9]", _SPACENL, _KEEP, 0),
    (rf"{_WORD}\.", r"[,;:]", _KEEP, 0),
    (rf"{_LETTER}+(?:\.{_LETTER}+)+", "", _KEEP, 0),
    (r"(?:\([0-9]{3}\)[ \u00A0]?|[0-9]{3}[- \u00A0.])[0-9]{3}[- \u00A0.][0-9]{4}", "", _SPACEFIX, 0),
    (r'"|&quot;', r"[A-Za-z0-9$]", _LEFTQ, 0),
    (r'"|&quot;', "", _RIGHTQ, 0),
    (r"\+|[%&\u2030\u2031]|~|\^|\||\\", "", _KEEP, 0),
    (r"[\[\]{}()<>]", "", _KEEP, 0),
    (r"-+", "", _DASH, 0),
    (r"\.{3,5}|(?:\.[ \u00A0]){2,4}\.|[\u0085\u2026]", "", _ELLIPSIS, 0),
    (r"[#@][A-Za-z][A-Za-z0-9_]*", "", _KEEP, 0),
    (r"@+|#+|_+", "", _KEEP, 0),
    (r"\*+|(?:\\\*){1,3}", "", _KEEP, 0),
    (r"[,;:]", "", _KEEP, 0),
    (r"[?!]+", "", _KEEP, 0),
    (r"[.\u00A1\u00BF\u037E\u0589\u061F\u06D4\u0700-\u0702\u07FA]", "", _KEEP, 0),
    (r"=|/", "", _KEEP, 0),
    (rf"[A-Za-z0-9][A-Za-z0-9.,\u00AD]*(?:-(?:[A-Za-z0-9\u00AD]+|{_ACRO}\.))+", "", _KEEP, 0),
    (rf"{_THING_PART}(?:{_HYPHEN}{_THING_PART})*", "", _KEEP, 0),
    (r"[A-Z]+(?:(?:[+&]|&amp;)[A-Z]+)+", "", _AMP, 0),
    (r"'", r"[A-Za-z][^ \t\n\r\u00A0]", _LEFTQ, 0),
    (_REDAUX, "", _RIGHTQ, 0),
    (rf"''|[`\u2018\u2019\u201A\u201B\u201C\u201D\u0091\u0092\u0093\u0094\u201E\u201F\u2039\u203A\u00AB\u00BB]{{1,2}}|{_APOS}", "", _RIGHTQ, 0),
    (_MISC, "", _KEEP, 0),
    (rf"\x00|{_SPACE}+|[\u200B\u200E\u200F\uFEFF]|{_NL}|&nbsp;", "", _SKIP, 0),
]
_COMPILED = [
    (re.compile(f"({tok})({ctx})" if ctx else f"({tok})()"), action, pushback)
    for tok, ctx, action, pushback in _RULES
]
_SIMPLE_LINE = re.compile(r"[A-Za-z \t]*")
_SPLIT_WORDS = {"cannot": ("can", "not"), "gonna": ("gon", "na"), "gotta": ("got", "ta"),
                "lemme": ("lem", "me"), "gimme": ("gim", "me"), "wanna": ("wan", "na")}


def _quotes(tok: str, left: bool) -> str:
    """LaTeX-style quote normalisation of the PTB tokenizer."""
    if left:
        tok = re.sub(r"&apos;|'", "`", tok)
        tok = re.sub(r'"|&quot;', "``", tok)
    else:
        tok = re.sub(r"&apos;|'", "'", tok)
        tok = re.sub(r'"|&quot;', "''", tok)
    tok = re.sub("[\u0091\u2018\u201B\u2039]", "`", tok)
    tok = re.sub("[\u0092\u2019\u203A]", "'", tok)
    tok = re.sub("[\u0093\u201C\u00AB]", "``", tok)
    return re.sub("[\u0094\u201D\u00BB]", "''", tok)


def _lex(line: str) -> list[str]:
    """PTB tokens of one line (original case, no punctuation removed)."""
    tokens: list[str] = []
    pos, end = 0, len(line)
    while pos < end:
        best_len, best = 0, None
        for pattern, action, pushback in _COMPILED:
            m = pattern.match(line, pos)
            if m is not None and m.end() - pos > best_len:
                best_len, best = m.end() - pos, (m, action, pushback)
        if best is None:  # untokenizable character: the PTB tokenizer deletes it
            pos += 1
            continue
        m, action, pushback = best
        tok = m.group(1)[: len(m.group(1)) - pushback]
        pos += len(tok)
        if action == _SKIP:
            continue
        if action == _DASH:
            tok = "--" if (tok[0] != "-" or 3 <= len(tok) <= 4) else tok
        elif action == _AMP:
            tok = re.sub(r"(?i:&amp;)", "&", tok)
        elif action in (_LEFTQ, _RIGHTQ):
            tok = _quotes(tok, action == _LEFTQ)
        elif action == _ELLIPSIS:
            tok = "..."
        elif action == _CURRENCY:
            tok = _CURRENCIES.get(tok, tok)
        elif action == _FRACSTR:
            tok = _FRAC2[tok]
        elif action == _SPACEFIX:
            tok = tok.replace(" ", "\u00A0").replace("(", "-LRB-").replace(")", "-RRB-")
        tok = _BRACKETS.get(tok, tok)
        tokens.append(tok)
    return tokens


@lru_cache(maxsize=200_000)
def tokenize_one(caption: str) -> str:
    """PTB-tokenise one caption as pycocoevalcap does: lower-cased tokens joined by spaces,
    punctuation tokens removed. Newlines inside the caption count as spaces."""
    line = caption.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if _SIMPLE_LINE.fullmatch(line):
        words: list[str] = []
        for w in line.split():
            words.extend(_SPLIT_WORDS.get(w.lower(), (w,)))
        return " ".join(words).lower()
    lowered = (t.lower() for t in _lex(line + "\n"))
    return " ".join(t for t in lowered if t not in PUNCTUATIONS)


def tokenize(captions: Sequence[str]) -> list[str]:
    """PTB-tokenise captions (see :func:`tokenize_one`); returns one string per caption."""
    return [tokenize_one(c) for c in captions]


def tokenize_java(captions: Sequence[str]) -> list[str]:
    """The same as :func:`tokenize`, computed by the CoreNLP 3.4.1 jar exactly as pycocoevalcap
    calls it (one JVM for all captions). Raises JavaUnavailable without Java or the jar."""
    from aacap.metrics.java import require_jar

    java, jar = require_jar("tokenizer/stanford-corenlp-3.4.1.jar")
    text = "\n".join(c.replace("\n", " ") for c in captions)
    cmd = [java, "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer", "-preserveLines", "-lowerCase"]
    out = subprocess.run(cmd, input=text.encode(), capture_output=True, check=True, timeout=600).stdout
    lines = out.decode().split("\n")
    return [" ".join(w for w in line.rstrip().split(" ") if w not in PUNCTUATIONS) for line in lines[: len(captions)]]
