"""Reading review material out of indexed chunks: which review a passage is about, the
learning themes it states (with their points) and what the review led to.

Works document by document on chunks in reading order, because PDFs lose structure: a
"Key learning" title line inside one page's text still governs the themes on the next
page. Three kinds of theme mention come out:
- learning: a title under a learning / findings / recommendations heading or title line,
  or an item of a list introduced as learning themes;
- outcome: what the documents say a review led to (a procedure, guidance, training...);
- topic: the subject of a deep dive, key line of enquiry or audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import reviews as rv
from index.store import DocumentRecord
from ingest.chunker import split_sentences
from ingest.models import Chunk

_BULLET = re.compile(r"^\s*(?:[-*•◦▪●➔◇–]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_YEAR = re.compile(r"\b(20\d\d)(?:\s*[-/–]\s*(\d\d))?\b")
_STOP_END = frozenset("to of the and or a an for with in on by from that which who as".split())
_GENERIC_END = re.compile(
    r"^(background|introduction|summary|case summary|the case|about (?:the|this) \w+|methodology|"
    r"review methodology|next steps?|what next|what (?:should|can|do) (?:you|i|we|practitioners) do\??|"
    r"what to do|questions?(?: to consider)?|reflective questions?|reflection|further information|"
    r"useful (?:links|resources)|resources|references|contacts?|contact us|further reading|"
    r"acknowledgements?|glossary|appendix.*|contents|foreword)\W*$",
    re.I,
)
_OUTCOME_CUE = re.compile(
    r"\b(as a result|result(?:ed|ing|s)? in|led to|lead to|leads to|arising from|arising|develop(?:ed|ment)|"
    r"included in|in light of|recommendations?|identified (?:work|the need)|task and finish|updat\w*|"
    r"revis\w*|commission\w*|introduc\w*|launch\w*|review of|reviewed|actions?)\b",
    re.I,
)
_RESOURCE = (r"procedures?|guidance|training|protocols?|checklists?|toolkits?|pathways?|standards|"
             r"polic(?:y|ies)|strateg(?:y|ies)|briefings?|tools?")
_RESOURCE_RE = re.compile(rf"\b({_RESOURCE})\b", re.I)
_RESOURCE_ABOUT = re.compile(
    rf"\b({_RESOURCE})(?:\s+documents?)?\s+(?:on|for|about|regarding|around|re)\s+(?=[A-Z'‘])", re.I)
_AROUND = re.compile(
    r"\b(?:around|regarding|concerning|in relation to)\s+((?:[a-z][\w/-]*\s+){1,3}"
    r"(?:processes|process|arrangements|planning|practice|procedures|pathways|assessments?|"
    r"thresholds?|supervision))\b")
_CONNECT = frozenset("of and for with to in from on who it a the at into &".split())
_NOT_PHRASE = frozenset(
    """a an the this that these those our its their new newly four three two five six one
    some all each every any its his her there""".split()
)
_AFTER_NOT = re.compile(r"^\s*(?:(?i:website|group|team|board|programme|program|site|page|sub-?group|manual)\b|[A-Z])")
_CUT = re.compile(r"(?<!relation)\s(?:to|which|resulting|in order|being|so that|that|who)\s|[,;:(]|\s[-–—]\s")
_QUOTED_THEME = re.compile(r"\btheme of\s+['‘\"“]([^'’\"”]{3,60})['’\"”]")


@dataclass
class ReviewInfo:
    """What the documents say about one review (mutable while scanning)."""

    key: str
    name: str
    review_type: str | None = None
    rank: int = 0
    years: set[int] = field(default_factory=set)
    chunks: dict[str, tuple[Chunk, DocumentRecord]] = field(default_factory=dict)

    def absorb(self, m: rv.ReviewMention) -> None:
        """Keep the most specific type and a mixed-case name ('Eve' over 'EVE')."""
        if m.rank > self.rank:
            self.review_type, self.rank = m.review_type, m.rank
        if self.name.isupper() and not m.name.isupper() and m.name.lower() == self.name.lower():
            self.name = m.name

    @property
    def display(self) -> str:
        if not self.review_type or ":" in self.name or self.name.endswith(self.review_type):
            return self.name
        return f"{self.name} {self.review_type}"


@dataclass(frozen=True)
class ThemeMention:
    """One theme as stated for one review in one passage.

    `title` is the theme as written (heading, title line, list item or phrase), `quote`
    the exact words copied from the passage or its heading, `points` what is said under it.
    """

    review_key: str
    title: str
    quote: str
    kind: str
    chunk: Chunk
    document: DocumentRecord
    points: tuple[str, ...] = ()


def _strip_item(line: str) -> str:
    return _BULLET.sub("", line).strip().rstrip(";,").removesuffix("; and").removesuffix(" and").strip()


def clean_title(text: str) -> str:
    """A theme title without numbering, 'Finding 2:' prefixes, quotes or trailing punctuation."""
    t = re.sub(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[a-z][.)])\s+", "", text.strip())
    t = re.sub(r"^(?:finding|recommendation|theme|learning point|lesson|key learning|learning)\s*\d*\s*[:.\-–]\s*",
               "", t, flags=re.I)
    t = t.strip(" \t'‘’\"“”*_:;,.")
    return re.sub(r"\s+", " ", t)


def is_title_line(line: str, prev: str | None, nxt: str | None, after_title: bool = False) -> bool:
    """A short title line inside text (what a PDF heading becomes when layout is lost)."""
    s = line.strip()
    if not s or _BULLET.match(s) or not re.match(r"[A-Z0-9]", s):
        return False
    words = s.split()
    if len(words) > 8 or len(s) > 70 or not re.search(r"[A-Za-z]{3}", s):
        return False
    if s.endswith(":"):
        if not (rv.is_learning_heading(s) or _GENERIC_END.match(s)):
            return False
    elif s[-1] in ".,;?!" or words[-1].lower() in _STOP_END:
        return False
    if not after_title and prev is not None and prev.strip() and prev.strip()[-1] not in ".!?:":
        return False
    return bool(nxt and nxt.strip())


def _years(text: str) -> set[int]:
    out: set[int] = set()
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        out.add(year)
        if m.group(2) and int(m.group(2)) == (year + 1) % 100:
            out.add(year + 1)
    return out


def _title_run(words: list[str], start: int, step: int) -> list[str]:
    """Capitalised words (with small connectors between them) going left or right."""
    run: list[str] = []
    i = start
    while 0 <= i < len(words):
        w = words[i]
        core = w.strip("'‘’\"“”")
        if core and (core[0].isupper() or core[0].isdigit()) and core.lower() not in _NOT_PHRASE:
            run.append(w)
        elif core.lower() in _CONNECT and run:
            run.append(w)
        else:
            break
        i += step
    if step < 0:
        run.reverse()
    while run and run[0].strip("'‘’\"“”").lower() in _CONNECT:
        run.pop(0)
    while run and run[-1].strip("'‘’\"“”").lower() in _CONNECT:
        run.pop()
    while run and rv._ORG_ACRONYM.match(run[0].strip("'‘’\"“”")):
        run.pop(0)
    return run


def outcome_phrases(sentence: str) -> list[tuple[str, str]]:
    """(label, quote) pairs: the procedures, guidance, training... a sentence says came about."""
    out: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for m in _RESOURCE_ABOUT.finditer(sentence):
        words = sentence[m.end():].split()
        run = _title_run(words, 0, 1)
        if run:
            topic = " ".join(run).strip("'‘’\"“”.,;")
            quote = sentence[m.start():m.end()] + " ".join(run).rstrip(".,;")
            out.append((f"{topic} {m.group(1).lower()}", quote))
            spans.append((m.start(), m.start() + len(quote)))
    for m in _RESOURCE_RE.finditer(sentence):
        if _AFTER_NOT.match(sentence[m.end():]) or any(a <= m.start() < b for a, b in spans):
            continue
        words = sentence[:m.start()].split()
        run = _title_run(words, len(words) - 1, -1)
        if run:
            phrase = " ".join(run + [m.group(1)])
            label = re.sub(r"['‘’\"“”]", "", phrase)
            if not any(label.lower() in o[0].lower() for o in out):
                out.append((label, phrase))
    for m in _AROUND.finditer(sentence):
        out.append((m.group(1), m.group(1)))
    return out


def _item_label(item: str) -> tuple[str, str] | None:
    """A short label for a list item that states an outcome: its first clause."""
    m = _CUT.search(item)
    head = (item[:m.start()] if m else item).strip().rstrip(".")
    if not head or len(head.split()) > 12 or len(head.split()) < 2:
        return None
    label = re.sub(r"^(?:a|an|the)\s+", "", head, flags=re.I)
    return label, head


def _blocks(text: str) -> list[list[str]]:
    """Paragraph blocks (blank-line separated); a list stays with its introducing line."""
    out: list[list[str]] = []
    for raw in re.split(r"\n\s*\n", text):
        lines = [l for l in raw.split("\n") if l.strip()]
        if not lines:
            continue
        if out and _BULLET.match(lines[0]) and (_BULLET.match(out[-1][-1]) or out[-1][-1].rstrip().endswith(":")):
            out[-1].extend(lines)
        else:
            out.append(lines)
    return out


@dataclass
class _LearningState:
    """An open learning section, carried across chunks of one document (PDF pages)."""

    prefix: tuple[str, ...]
    theme: str | None = None
    theme_path: tuple[str, ...] = ()


class DocumentScanner:
    """Scans one document's chunks; results accumulate into `reviews` and `mentions`."""

    def __init__(self, document: DocumentRecord, chunks: list[Chunk], reviews: dict[str, ReviewInfo]) -> None:
        self.document = document
        self.chunks = sorted(chunks, key=lambda c: c.ordinal)
        self.reviews = reviews
        self.mentions: list[ThemeMention] = []
        self.doc_year = int(document.date[:4]) if document.date and document.date[:4].isdigit() else None
        self.doc_reviews = self._document_reviews()
        self.section_reviews = self._section_reviews()

    # --- review attribution -------------------------------------------------------------
    def _register(self, mentions: list[rv.ReviewMention]) -> list[str]:
        keys = []
        for m in mentions:
            info = self.reviews.get(m.key)
            if info is None:
                info = self.reviews[m.key] = ReviewInfo(m.key, m.name, m.review_type, m.rank)
            info.absorb(m)
            if m.key not in keys:
                keys.append(m.key)
        return keys

    def _document_reviews(self) -> list[rv.ReviewMention]:
        title = self.document.title
        found = rv.find_reviews(title)
        if found or not rv.is_review_document(title, self.document.doc_type):
            return found
        name = rv.briefing_name(title)
        return [rv.ReviewMention(name, None, 0, rv.review_key(name))]

    def _section_reviews(self) -> dict[tuple[str, ...], list[rv.ReviewMention]]:
        out: dict[tuple[str, ...], list[rv.ReviewMention]] = {}
        for c in self.chunks:
            seen = out.setdefault(c.heading_path, [])
            for m in rv.find_reviews(c.text):
                if m.key not in {s.key for s in seen}:
                    seen.append(m)
        return out

    def _heading_reviews(self, path: tuple[str, ...]) -> tuple[list[rv.ReviewMention], int]:
        """Reviews named by the deepest heading that names any, and that heading's depth."""
        start = 1 if path and path[0] == self.document.title else 0
        for depth in range(len(path) - 1, start - 1, -1):
            found = rv.heading_reviews(path[depth])
            if found:
                return found, depth
        return [], -1

    def _attach(self, keys: list[str], chunk: Chunk, text: str) -> None:
        for key in keys:
            info = self.reviews[key]
            info.chunks.setdefault(chunk.chunk_id, (chunk, self.document))
            info.years |= _years(text) | _years(" ".join(chunk.heading_path[1:]))
            if self.doc_year:
                info.years.add(self.doc_year)

    # --- mentions -----------------------------------------------------------------------
    def _mention(self, keys: list[str], title: str, quote: str, kind: str, chunk: Chunk,
                 points: list[str] | None = None) -> None:
        title = clean_title(title)
        if len(title) < 3 or not re.search(r"[A-Za-z]{3}", title) or rv.is_learning_heading(title) and len(title.split()) <= 3:
            return
        for key in keys:
            self.mentions.append(ThemeMention(key, title, quote.strip(), kind, chunk, self.document,
                                              tuple(dict.fromkeys(points or []))[:6]))

    def scan(self) -> list[ThemeMention]:
        """Two passes: the second knows each review's stated themes, so a heading such as
        'Unlocking Fixed-Thinking' (the theme 'Fixed Thinking') is read as holding themes."""
        self._pass({})
        known: dict[str, list[set[str]]] = {}
        for m in self.mentions:
            stems = rv.content_stems(m.title)
            if m.kind == "learning" and stems:
                known.setdefault(m.review_key, []).append(stems)
        if known:
            self.mentions = []
            self._pass(known)
        return self.mentions

    @staticmethod
    def _container(path: tuple[str, ...], depth: int, keys: list[str],
                   known: dict[str, list[set[str]]]) -> str | None:
        """The theme of a chunk whose heading below the review heading names a stated theme."""
        for j in range(depth + 1, len(path)):
            stems = rv.content_stems(path[j])
            if stems and any(stems <= t or t <= stems for k in keys for t in known.get(k, [])):
                return path[j + 1] if j + 1 < len(path) else path[j]
        return None

    def _pass(self, known: dict[str, list[set[str]]]) -> None:
        state: _LearningState | None = None
        for chunk in self.chunks:
            path = chunk.heading_path
            head_found, head_depth = self._heading_reviews(path)
            base = self._register(head_found or self.doc_reviews)
            pinned = bool(base)
            if not base:
                base = self._register(self.section_reviews.get(path, []))
            # Learning context from headings.
            learn_at = max((i for i, h in enumerate(path) if rv.is_learning_heading(h)), default=-1)
            theme: str | None = None
            in_learning = learn_at >= 0
            if in_learning:
                theme = path[learn_at + 1] if len(path) > learn_at + 1 else None
                state = None
            elif state is not None:
                if path[:len(state.prefix)] != state.prefix:
                    state = None
                elif len(path) > len(state.prefix):
                    head = path[len(state.prefix)]
                    if _GENERIC_END.match(head):
                        state = None
                    else:
                        in_learning, theme = True, head
                else:
                    in_learning, theme = True, state.theme if state.theme_path == path else None
            if not in_learning and head_found and known:
                theme = self._container(path, head_depth, base, known)
                in_learning = theme is not None
            state = self._scan_chunk(chunk, base, pinned, in_learning, theme, state)

    def _scan_chunk(self, chunk: Chunk, base: list[str], pinned: bool, in_learning: bool,
                    theme: str | None, state: _LearningState | None) -> _LearningState | None:
        current = list(base)
        points: list[str] = []
        intro_learning = False
        intro_outcome = False

        def flush_theme() -> None:
            if theme and current:
                self._mention(current, theme, theme, "learning", chunk, points)

        for block in _blocks(chunk.text):
            block_text = "\n".join(block)
            if not pinned:
                named = rv.find_reviews(block_text) + rv.find_topics(
                    block_text, " ".join(chunk.heading_path) + "\n" + block_text)
                if named:
                    current = self._register(named)
                    self._topic_themes(named, chunk)
            else:  # the text may say more about a pinned review ('EVE' heading, 'Eve SCR' text)
                self._register([m for m in rv.find_reviews(block_text) if m.key in base])
                self._topic_themes(rv.find_topics(block_text, " ".join(chunk.heading_path) + "\n" + block_text), chunk)
            if not current:
                continue
            self._attach(current, chunk, block_text)
            last_title = False
            for i, line in enumerate(block):
                prev = block[i - 1] if i else None
                was_title, last_title = last_title, False
                nxt = block[i + 1] if i + 1 < len(block) else None
                s = line.strip()
                if _BULLET.match(line):
                    item = _strip_item(line)
                    if in_learning and theme is None or intro_learning:
                        self._learning_item(current, item, chunk)
                    elif in_learning:
                        points.append(item)
                    elif intro_outcome:
                        self._outcome_item(current, item, chunk)
                    continue
                intro_learning = intro_outcome = False
                if is_title_line(line, prev, nxt, was_title):
                    last_title = True
                    if rv.is_learning_heading(s):
                        flush_theme()
                        theme, points, in_learning = None, [], True
                        state = _LearningState(chunk.heading_path)
                        continue
                    if _GENERIC_END.match(s):
                        flush_theme()
                        theme, points, in_learning, state = None, [], False, None
                        continue
                    if in_learning:
                        flush_theme()
                        theme, points = s, []
                        if state is not None:
                            state.theme, state.theme_path = s, chunk.heading_path
                        continue
                for q in _QUOTED_THEME.finditer(s):
                    if in_learning or rv.is_learning_intro(s):
                        self._mention(current, q.group(1), q.group(1), "learning", chunk)
                if s.endswith(":") and rv.is_learning_intro(s):
                    intro_learning = True
                elif s.endswith(":") and not in_learning and _OUTCOME_CUE.search((split_sentences(s) or [s])[-1]):
                    intro_outcome = True
                elif in_learning and theme:
                    points.extend(split_sentences(s)[:2])
                elif not in_learning:
                    self._outcome_sentences(current, s, chunk)
        flush_theme()
        return state

    def _learning_item(self, keys: list[str], item: str, chunk: Chunk) -> None:
        m = re.match(r"^(.{3,80}?)(?:\s*[:–—]\s+|\s+-\s+)(.+)$", item)
        title, point = (m.group(1), m.group(2)) if m else (item.rstrip("."), "")
        if len(title.split()) > 12:
            return
        self._mention(keys, title, title, "learning", chunk, [point] if point else [])

    def _outcome_item(self, keys: list[str], item: str, chunk: Chunk) -> None:
        phrases = [p for s in split_sentences(item) for p in outcome_phrases(s)]
        if not phrases:
            labelled = _item_label(item)
            phrases = [labelled] if labelled else []
        for label, quote in phrases:
            self._mention(keys, label, quote, "outcome", chunk, [item])

    def _outcome_sentences(self, keys: list[str], text: str, chunk: Chunk) -> None:
        for sentence in split_sentences(text):
            if _OUTCOME_CUE.search(sentence):
                for label, quote in outcome_phrases(sentence):
                    self._mention(keys, label, quote, "outcome", chunk, [sentence])

    def _topic_themes(self, named: list[rv.ReviewMention], chunk: Chunk) -> None:
        """A deep dive or audit's own subject is a theme of it ('Children Placed at a Distance')."""
        for m in named:
            if ":" in m.name:
                self._register([m])
                topic = m.name.split(":", 1)[1].strip()
                self._mention([m.key], topic, topic, "topic", chunk)
            elif m.review_type == "Deep Dive":
                leaf = chunk.heading_path[-1] if chunk.heading_path else ""
                if f"({m.name})" in leaf:
                    topic = leaf.replace(f"({m.name})", "").strip()
                    self._mention([m.key], topic, leaf, "topic", chunk)


def scan_documents(items: list[tuple[DocumentRecord, list[Chunk]]]) -> tuple[dict[str, ReviewInfo], list[ThemeMention]]:
    """Every review and theme mention in these documents."""
    reviews: dict[str, ReviewInfo] = {}
    mentions: list[ThemeMention] = []
    for document, chunks in items:
        mentions.extend(DocumentScanner(document, chunks, reviews).scan())
    return reviews, mentions
