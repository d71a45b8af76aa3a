"""Taking identifying details out of text, for training case studies (R14).

Plain Python, no database: ``training.services`` gathers what the system knows about a case (the
household's fields, the service's staff and school names) and hands it to an ``Anonymiser``,
which replaces it, and whatever else looks identifying, by pseudonyms and placeholders:

- known people and schools by consistent pseudonyms ("Parent A", "Child 1", "School X",
  "Caseworker 1"), whatever their case, with or without a title ("Mrs"), possessive ("'s"),
  apostrophe or hyphen variant; a name inside a longer word ("Ann" in "Annual") is left alone;
- email addresses, web links, UK postcodes, phone numbers in any usual format, street addresses;
- other people named with a title ("Mrs Patel") by "Person 1", "Person 2"...; schools named in
  full ("Oakfield Primary School") by the next school pseudonym;
- dates by the week of the case they fall in ("week 3"), or their month ("in March");
- ages by age bands ("aged 5 to 10").

Nothing can know every name a person may type: ``highlight`` marks what is left that might still
identify someone (capitalised words, numbers, months) for a person to check.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

# --- Words ------------------------------------------------------------------------------------

MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS, 1)}
_MONTH_NUMBERS.update({name[:3]: number for name, number in list(_MONTH_NUMBERS.items())})
_MONTH_NUMBERS["sept"] = 9
_MONTH_PATTERN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

#: First names that are also ordinary English words: matched only when written with a capital
#: ("Will", "WILL"), so that "she will call" is left as it is.
NAMES_THAT_ARE_WORDS = {
    "will", "may", "june", "april", "august", "grace", "hope", "faith", "joy", "rose", "mark",
    "bill", "pat", "sue", "dawn", "summer", "frank", "jack", "art", "sky", "autumn", "ivy", "holly",
    "daisy", "poppy", "amber", "ruby", "jade", "crystal", "pearl", "violet", "lily", "willow",
    "hazel", "heather", "iris", "robin", "rob", "ray", "sandy", "rusty", "guy", "victor", "miles",
    "chance", "sonny", "sunny", "harmony", "river", "storm", "reign", "neil", "don", "dean", "carol",
    "angel", "bob", "penny", "chase", "hunter", "mason", "taylor", "cook", "baker", "smith", "wood",
    "hill", "green", "brown", "white", "black", "young", "king", "long", "hall", "wells", "cross",
    "lane", "field", "bird", "little", "page", "marsh", "west", "north", "south", "east", "best",
    "hart", "moon", "star", "love", "kind", "noble", "early", "day", "law", "gay", "fair", "rich",
}  # fmt: skip

#: Capitalised words that say nothing about who a person is: not highlighted.
SAFE_WORDS = {
    # words that start sentences
    "a", "an", "the", "and", "but", "or", "so", "if", "as", "at", "by", "for", "from", "in", "into",
    "of", "on", "to", "with", "about", "after", "before", "during", "since", "until", "when",
    "while", "where", "what", "which", "who", "why", "how", "this", "that", "these", "those",
    "there", "then", "now", "also", "all", "any", "both", "each", "every", "no", "not", "none",
    "some", "more", "most", "other", "another", "such", "only", "very", "just", "yes", "please",
    "i", "we", "you", "he", "she", "they", "it", "his", "her", "their", "our", "my", "your", "its",
    "them", "him", "us", "me", "is", "are", "was", "were", "be", "been", "has", "have", "had", "do",
    "does", "did", "can", "could", "will", "would", "should", "may", "might", "must", "shall",
    "agreed", "asked", "called", "explained", "helped", "sent", "spoke", "went", "told", "said",
    "discussed", "rang", "emailed", "wrote", "left", "met", "phoned", "gave", "offered", "checked",
    "signposted", "talked", "advised", "arranged", "confirmed", "attended", "booked", "chased",
    "reviewed", "read", "looked", "listened", "suggested", "followed", "received", "closed",
    "opened", "reopened", "case", "call", "meeting", "email", "letter", "note", "notes", "next",
    "follow", "follow-up", "today", "tomorrow", "yesterday", "week", "weeks", "month", "months",
    "year", "years", "first", "second", "third", "last", "new", "still", "again", "already",
    "here", "though", "although", "because", "however", "unless", "whether", "over", "under",
    "up", "down", "out", "off", "one", "two", "three", "four", "five", "six", "ten",
    # family words
    "mum", "dad", "mother", "father", "gran", "grandma", "grandad", "grandmother", "grandfather",
    "nan", "nana", "step-dad", "step-mum", "carer", "parent", "parents", "child", "children",
    "son", "daughter", "brother", "sister", "aunt", "uncle", "foster", "partner",
    # SEND words, law and institutions that are the same for every family
    "send", "sen", "ehc", "ehcp", "senco", "sendco", "iass", "sendiass", "ipsea", "la", "lea",
    "asd", "adhd", "add", "camhs", "gp", "ot", "salt", "semh", "slcn", "spld", "mld", "sld",
    "pmld", "hi", "vi", "msi", "pd", "oth", "nsa", "nhs", "dfe", "ofsted", "sendist", "ep",
    "tribunal", "ombudsman", "council", "school", "schools", "academy", "college", "nursery",
    "section", "sections", "code", "practice", "children's", "families", "act", "equality",
    "local", "government", "social", "care", "offer", "plan", "plans", "review", "annual",
    "mediation", "appeal", "appeals", "health", "support", "service", "services", "team",
    "officer", "teacher", "head", "headteacher", "governors", "panel", "stage", "draft", "final",
    "independent", "parental", "supporter", "key", "reception", "primary", "secondary",
    "special", "mainstream", "transport", "exclusion", "suspension", "complaint", "complaints",
    "assessment", "autism", "autistic", "dyslexia", "english", "maths", "due", "deadline",
    "ask", "tell", "see", "check", "write", "visit", "visited", "mentioned", "wants",
    "video", "speech", "help", "texted", "needs", "need", "checking", "home", "home-to-school",
    "admissions", "attendance", "severe", "physical", "moderate", "specific", "profound",
    "hearing", "vision", "multi-sensory", "learning", "language", "communication", "emotional",
    "mental", "difficulty", "disability", "impairment", "spectrum", "disorder", "provision",
    # days of the week say nothing on their own
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip

HONORIFICS = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord)\.?"

#: Age bands (inclusive ranges of whole years) in which ages are kept.
AGE_BANDS = [
    (0, 4, "under 5"),
    (5, 10, "5 to 10"),
    (11, 15, "11 to 15"),
    (16, 18, "16 to 18"),
    (19, 25, "19 to 25"),
]

EMAIL_REMOVED = "[email removed]"
LINK_REMOVED = "[link removed]"
PHONE_REMOVED = "[phone number removed]"
POSTCODE_REMOVED = "[postcode removed]"
ADDRESS_REMOVED = "[address removed]"
DATE_REMOVED = "[date removed]"
REFERENCE_REMOVED = "[reference removed]"

_APOSTROPHES = "'’‘`"
_DASHES = "-‐‑–"


def age_band(years: int) -> str:
    """The band an age in whole years falls in ("5 to 10"); "over 25" beyond the last."""
    for low, high, label in AGE_BANDS:
        if low <= years <= high:
            return label
    return "over 25" if years > 25 else "under 5"


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def _normalise(text: str) -> str:
    """A name as compared: lower case, no apostrophes, runs of spaces and hyphens as one space."""
    text = text.lower()
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return re.sub(rf"[{_DASHES}\s]+", " ", text).strip()


def _value_pattern(value: str) -> str:
    """A regular expression matching ``value`` however its apostrophes, hyphens and spaces are
    written, in any case (unless the value is also an ordinary word: then capitalised only)."""
    parts = []
    for char in value.strip():
        if char in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]?")
        elif char in _DASHES or char.isspace():
            if not parts or parts[-1] != "SEP":
                parts.append("SEP")
        else:
            parts.append(re.escape(char))
    body = "".join(rf"[{_DASHES}\s]*" if part == "SEP" else part for part in parts)
    if _normalise(value) in NAMES_THAT_ARE_WORDS:
        capitalised = value.strip()[0].upper() + value.strip()[1:].lower()
        return f"(?:{re.escape(capitalised)}|{re.escape(value.strip().upper())})"
    return f"(?i:{body})"


class Pseudonyms:
    """Consistent pseudonyms: the same person or school gets the same label every time.

    Parents get letters (Parent A, Parent B), schools letters from X (School X, School Y), and
    everyone else numbers by kind (Child 1, Caseworker 2, Person 1).
    """

    LETTERS = {"Parent": "ABCDEFGHJKLMNPQRSTUVW", "School": "XYZWVUTSRQPNMLKJHGFEDCBA"}

    def __init__(self):
        self._labels: dict = {}
        self._counts: dict = {}

    def label(self, kind: str, key) -> str:
        if (kind, key) not in self._labels:
            n = self._counts.get(kind, 0)
            self._counts[kind] = n + 1
            letters = self.LETTERS.get(kind)
            if letters:
                suffix = letters[n] if n < len(letters) else f"{letters[n % len(letters)]}{n // len(letters)}"
            else:
                suffix = str(n + 1)
            self._labels[(kind, key)] = f"{kind} {suffix}"
        return self._labels[(kind, key)]


@dataclass
class _Known:
    label: object  # a str, or a callable giving one (so that pseudonyms are given in order of use)
    original: str  # as first written: the pattern keeps its apostrophes and capitals
    weak: bool = False  # a part of a longer name: a whole name given later takes it over

    def text(self) -> str:
        return self.label() if callable(self.label) else self.label


# --- Patterns ---------------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+'’-]+@[\w-]+(?:\.[\w-]+)+")
LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+")
POSTCODE = re.compile(r"(?i)(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}(?![\w])")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\s?44\s?(?:\(\s?0\s?\)\s?)?\d{2,5}[\s.-]?\d{3,4}[\s.-]?\d{3,4}"  # +44 7700 900123, +44 (0)20...
    r"|\+\s?\d{1,3}(?:[\s.-]?\d{1,4}){3,7}"  # other international numbers
    r"|\(\s?0\d{2,5}\s?\)\s?\d{3,4}[\s.-]?\d{3,4}"  # (01632) 960 001
    r"|0\d{2,5}[\s.-]?\d{3,4}[\s.-]?\d{3,4}"  # 07700 900123, 020 7946 0958, 01632-960-001
    r")(?![\w])"
)
_DAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_ON = r"(?:(?P<on>on|by|from|until|since)\s+(?:the\s+)?)?"
DATE_PATTERNS = [
    # 2024-03-12
    re.compile(rf"(?i){_ON}{_DAY}\b(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})\b"),
    # 12/03/2024, 12.3.24, 12-03-2024 (day first, as in the UK)
    re.compile(rf"(?i){_ON}{_DAY}\b(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}|\d{{2}})\b"),
    # 12 March 2024, Tuesday 12th of March, 12 Mar
    re.compile(
        rf"(?i){_ON}{_DAY}\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_PATTERN})\b"
        rf"(?:,?\s+(?P<y>\d{{4}})\b)?"
    ),
    # March 12th, 2024; March 12
    re.compile(
        rf"(?i){_ON}{_DAY}\b(?P<month>{_MONTH_PATTERN})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?\s+(?P<y>\d{{4}})\b)?"
    ),
    # 12/03 (no year)
    re.compile(rf"(?i){_ON}{_DAY}\b(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})\b(?![/.-]\d)"),
]
AGE = [
    re.compile(r"(?i)\b(?P<word>aged?\s+)(?P<n>\d{1,2})\b(?!\s*(?:%|per|minutes|hours|weeks|months))"),
    re.compile(r"(?i)\b(?P<n>\d{1,2})(?P<word>[\s-]*(?:years?|yrs?)[\s-]*old)\b"),
]
_STREET_TYPES = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Gardens|Place|Court|Terrace"
    r"|Grove|Walk|Rise|View|Hill|Square|Mews|Row|Park|Green|Parade|Meadow|Meadows|Vale|Chase)"
)
_CAPITALISED = r"[A-Z][\w'’-]*"
STREET_WITH_NUMBER = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:(?:Flat|Apartment)\s+\d+,?\s+)?(?:{_CAPITALISED}\s+){{0,3}}{_STREET_TYPES}\b\.?"
)
STREET = re.compile(
    rf"\b(?:{_CAPITALISED}\s+){{1,3}}(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Gardens|Terrace|Grove|Mews)\b"
)
_SCHOOL_WORDS = (
    r"(?:Primary|Infant|Infants|Junior|Juniors|Secondary|High|Grammar|Community|Special|Academy"
    r"|College|School|Nursery|Pre-school|Preschool)"
)
SCHOOL = re.compile(rf"\b(?:{_CAPITALISED}\s+){{1,4}}{_SCHOOL_WORDS}(?:\s+{_SCHOOL_WORDS}){{0,2}}\b")
PERSON_WITH_TITLE = re.compile(rf"\b{HONORIFICS}\s+(?P<name>{_CAPITALISED}(?:\s+{_CAPITALISED})?)")

#: What the anonymiser itself writes, never highlighted.
PLACEHOLDER = re.compile(
    r"\b(?:Parent [A-Z]\d*|Child \d+|School [A-Z]\d*|Caseworker \d+|Volunteer \d+|Manager \d+"
    r"|Staff member \d+|Person \d+)\b"
    r"|\[[a-z ]+ removed\]"
    r"|\b(?:in )?weeks? \d+(?: of the case)?\b|\b\d+ weeks? before the case opened\b"
    r"|\baged? (?:under 5|over 25|\d+ to \d+)\b|\b(?:under 5|over 25|\d+ to \d+) years old\b"
    r"|\b(?:under-5|over-25|\d+-to-\d+)-year-old\b"
    r"|\bthe service\b"
)
REPEATED_PLACEHOLDER = re.compile(
    r"\b((?:Parent [A-Z]\d*|Child \d+|School [A-Z]\d*|Caseworker \d+|Volunteer \d+|Manager \d+"
    r"|Staff member \d+|Person \d+))(?:[\s-]+\1\b)+"
)
#: Ordinary phrases with a capital letter that identify nobody ("section F" of an EHC plan).
SAFE_PHRASE = re.compile(r"\b[Ss]ections? [A-K](?:(?:,| and| or) [A-K])*\b|\bYear \d{1,2}\b")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]*|\d[\d,.:/]*")


class Anonymiser:
    """Replaces what is known about a case, and what looks identifying, in free text.

    ``start`` is the case's first day: dates become the week of the case they fall in. Add what
    is known with ``add_person``, ``add_school``, ``add_address``, ``add_reference`` and
    ``add_value``, then call ``scrub``.
    """

    def __init__(self, *, start: date, pseudonyms: Pseudonyms | None = None):
        self.start = start
        self.pseudonyms = pseudonyms or Pseudonyms()
        self._known: dict[str, _Known] = {}
        self._references: dict[str, str] = {}
        self._pattern = None

    # What is known ---------------------------------------------------------------------------

    def add_value(self, value: str, label, *, min_length: int = 2, weak: bool = False) -> None:
        """Replace ``value`` (and its spelling variants) by ``label`` (a str or a callable).

        A value already known keeps its first label (add the household before the staff),
        unless it was only part of a longer name (``weak``) and is now given whole."""
        value = (value or "").strip()
        key = _normalise(value)
        if len(key) < min_length:
            return
        known = self._known.get(key)
        if known is not None and (weak or not known.weak):
            return
        self._known[key] = _Known(label, value, weak)
        self._pattern = None

    def add_reference(self, value: str, label: str) -> None:
        """A code such as a case reference: replaced before anything else, wherever it stands
        (it could otherwise pass for a postcode or a phone number)."""
        value = (value or "").strip()
        if len(value) >= 4:
            self._references[value.lower()] = label

    def add_person(self, label, *names: str) -> None:
        """A person known by ``names`` (first name, last name, full name...): each name, and each
        part of a multi-part or hyphenated name, becomes ``label``."""
        for name in names:
            name = (name or "").strip()
            if not name:
                continue
            self.add_value(name, label)
            for part in re.split(rf"[{_DASHES}\s]+", name):
                if part != name:
                    self.add_value(part, label, weak=True)

    def add_school(self, name: str) -> None:
        """A school: its full name, and its name without "Primary School" and the like."""
        name = (name or "").strip()
        if not name:
            return
        label = self._school_label(name)
        self.add_value(name, label)
        core = re.sub(rf"(?:\s+{_SCHOOL_WORDS})+$", "", name).strip()
        if core and core != name and _normalise(core) not in SAFE_WORDS:
            self.add_value(core, label)

    def _school_label(self, name: str):
        key = _normalise(re.sub(rf"(?:\s+{_SCHOOL_WORDS})+$", "", name)) or _normalise(name)
        return lambda: self.pseudonyms.label("School", key)

    def add_address(self, address: str) -> None:
        """An address: each of its lines and comma-separated parts."""
        for part in re.split(r"[\n,]+", address or ""):
            part = part.strip()
            if len(part) >= 3 and _normalise(part) not in SAFE_WORDS:
                self.add_value(part, ADDRESS_REMOVED, min_length=3)

    # Scrubbing -------------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """``text`` with every identifying detail it can find replaced."""
        if not text:
            return ""
        for reference, label in self._references.items():
            text = re.sub(rf"(?i)(?<![\w]){re.escape(reference)}(?![\w])", label, text)
        text = LINK.sub(LINK_REMOVED, text)
        text = EMAIL.sub(EMAIL_REMOVED, text)
        text = POSTCODE.sub(POSTCODE_REMOVED, text)
        for pattern in DATE_PATTERNS:
            text = pattern.sub(self._date, text)
        text = PHONE.sub(self._phone, text)
        text = self._known_values(text)
        text = STREET_WITH_NUMBER.sub(ADDRESS_REMOVED, text)
        text = STREET.sub(self._street, text)
        text = SCHOOL.sub(self._school, text)
        text = PERSON_WITH_TITLE.sub(self._titled_person, text)
        for pattern in AGE:
            text = pattern.sub(self._age, text)
        # "Mary Ann O'Brien" known as first and last names: one pseudonym, not two.
        return REPEATED_PLACEHOLDER.sub(r"\1", text)

    def week(self, moment) -> int:
        """The week of the case ``moment`` falls in: 1 for the first seven days."""
        day = moment.date() if isinstance(moment, datetime) else moment
        return (day - self.start).days // 7 + 1

    def when(self, moment) -> str:
        """A date as said in a case study: "week 3", or "4 weeks before the case opened"."""
        week = self.week(moment)
        if week >= 1:
            return f"week {week}"
        before = -week + 1
        return f"{before} week{'s' if before != 1 else ''} before the case opened"

    def _date(self, match) -> str:
        groups = match.groupdict()
        on = (groups.get("on") or "").lower()
        on = "in" if on in ("", "on") else on
        if groups.get("month"):
            month = _MONTH_NUMBERS.get(groups["month"].lower().rstrip("."))
        else:
            month = int(groups["m"])
        if not month or not 1 <= month <= 12:
            return DATE_REMOVED
        year = groups.get("y")
        if not year:
            return f"{on} {MONTHS[month - 1].title()}"
        year = int(year) + (2000 if len(year) == 2 else 0)
        try:
            day = date(year, month, int(groups["d"]))
        except ValueError:
            return DATE_REMOVED
        when = self.when(day)
        if groups.get("on") and not (on == "in" and self.week(day) < 1):
            return f"{on} {when}"
        return when

    @staticmethod
    def _phone(match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return PHONE_REMOVED if 9 <= len(digits) <= 15 else match.group(0)

    def _known_values(self, text: str) -> str:
        if not self._known:
            return text
        if self._pattern is None:
            alternatives = sorted(self._known, key=len, reverse=True)
            core = "|".join(_value_pattern(self._known[key].original) for key in alternatives)
            self._pattern = re.compile(
                rf"(?<![\w@])(?:{HONORIFICS}\s+)?(?:{_CAPITALISED}[{_DASHES}](?=[A-Z]))??"
                rf"(?P<core>{core})(?:[{_DASHES}][A-Z][\w'’]*)?(?![\w@])"
            )
        return self._pattern.sub(self._known_value, text)

    def _known_value(self, match) -> str:
        known = self._known.get(_normalise(match.group("core")))
        if known is None:  # pragma: no cover - every alternative comes from a known key
            return match.group(0)
        return known.text()

    def _street(self, match) -> str:
        words = match.group(0).split()
        kept = []
        while words and _normalise(words[0]) in SAFE_WORDS and len(words) > 2:
            kept.append(words.pop(0))
        return " ".join([*kept, ADDRESS_REMOVED]) if words else match.group(0)

    def _school(self, match) -> str:
        text = match.group(0)
        words = text.split()
        kept = []
        while words and (_normalise(words[0]) in SAFE_WORDS or PLACEHOLDER.fullmatch(words[0])):
            kept.append(words.pop(0))
        rest = " ".join(words)
        named = [w for w in words if not re.fullmatch(_SCHOOL_WORDS, w)]
        if not named or any(_normalise(w) in SAFE_WORDS for w in named) or PLACEHOLDER.search(rest):
            return text
        core = _normalise(re.sub(rf"(?:\s+{_SCHOOL_WORDS})+$", "", rest))
        label = self.pseudonyms.label("School", core)
        return " ".join([*kept, label])

    def _titled_person(self, match) -> str:
        name = match.group("name")
        first = name.split()[0]
        if PLACEHOLDER.match(match.group(0)[match.start("name") - match.start() :]) or first in {
            "Parent",
            "Child",
            "School",
            "Caseworker",
            "Volunteer",
            "Manager",
            "Person",
            "Staff",
        }:
            return match.group(0)
        return self.pseudonyms.label("Person", _normalise(name.split()[-1]))

    @staticmethod
    def _age(match) -> str:
        band = age_band(int(match.group("n")))
        word = match.group("word")
        if "old" not in word.lower():
            return f"aged {band}"
        if "-" in word:
            return f"{band.replace(' ', '-')}-year-old"
        return f"{band} years old"


# --- Highlighting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A piece of text; ``check`` when a person should look at it before it is approved."""

    text: str
    check: bool = False


def highlight(text: str) -> list[Part]:
    """``text`` in pieces, with what may still identify someone marked ``check``: capitalised
    words that are not ordinary, numbers, months, and words in capitals."""
    parts: list[Part] = []
    plain: list[str] = []
    position = 0
    protected = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text or "")]
    protected += [(m.start(), m.end()) for m in SAFE_PHRASE.finditer(text or "")]

    def inside_placeholder(start, end):
        return any(low <= start and end <= high for low, high in protected)

    for match in _WORD.finditer(text or ""):
        word = match.group(0)
        bare_end = match.start() + len(word.rstrip(".,:/"))
        if not _needs_check(word) or inside_placeholder(match.start(), bare_end):
            continue
        plain.append(text[position : match.start()])
        if "".join(plain):
            parts.append(Part("".join(plain)))
        plain = []
        parts.append(Part(word.rstrip(".,:/"), check=True))
        tail = word[len(word.rstrip(".,:/")) :]
        position = match.end() - len(tail)
    rest = (text or "")[position:]
    if rest:
        parts.append(Part(rest))
    return parts


def _needs_check(word: str) -> bool:
    bare = word.rstrip(".,:/")
    if not bare:
        return False
    if bare[0].isdigit():
        return True
    lowered = bare.lower()
    for mark in _APOSTROPHES:
        if lowered.endswith(f"{mark}s"):
            lowered = lowered[:-2]
    if lowered in _MONTH_NUMBERS or lowered in MONTHS:
        return True
    if not bare[0].isupper():
        return False
    return lowered not in SAFE_WORDS


def checks_in(text: str) -> int:
    """How many pieces of ``text`` a person should check."""
    return sum(1 for part in highlight(text) if part.check)
