"""Load one HTML page into a `Document` holding only its main content.

Procedure websites wrap every chapter in the same menu, header, footer, cookie banner and
"related pages" sidebar. Indexing that chrome would make every page match every question,
so the loader finds the main content block (semantic containers first, then the block with
the densest non-link text), strips page furniture, and keeps headings, paragraphs, lists and
tables as readable text under their heading path. A crawler can also pass `boilerplate`:
normalised block texts seen on most pages of a site, dropped wherever they appear.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Set
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ingest.doctype import infer_doc_type
from ingest.models import Document, LoadError, Section

# Never text: removed before choosing the container. Page furniture: removed inside it.
_NOISE_TAGS = (
    "script", "style", "noscript", "form", "template", "svg", "iframe", "canvas", "object",
    "embed", "button", "input", "select", "textarea", "link", "meta",
)
_DROP_TAGS = (*_NOISE_TAGS, "nav", "aside", "dialog")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "blockquote", "pre", "address", "figure",
     "figcaption", "details", "summary", "header", "footer", "dl", "dt", "dd", "hr", "center"}
)
# Class/id tokens that are never content, and tokens that usually are not (a wrapper such as
# <div class="has-sidebar"> may hold the content itself, so those get a size check).
_NEVER_CONTENT = re.compile(
    r"(?:^|[-_\s])(cookies?|consent|gdpr|breadcrumbs?|skip|skiplinks?|sr-only|visually-hidden|"
    r"screen-reader-text|share|sharing|social|print|feedback|back-to-top)(?:$|[-_\s])",
    re.I,
)
_USUALLY_NOT_CONTENT = re.compile(
    r"(?:^|[-_\s])(sidebar|sidenav|related|masthead|navbar|navigation|nav|menu|header|footer|"
    r"banner|toolbar|pagination|trail)(?:$|[-_\s])",
    re.I,
)
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                              "dialog", "alertdialog", "menu", "menubar"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+(?:-|–|—|::|»)\s+")

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_MONTH_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_VALUE = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE},?\s+\d{{4}}"
    rf"|{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|{_MONTH_RE}\s+\d{{4}})"
)
_DATE_STATEMENT = re.compile(
    r"\b(?:last\s+(?:reviewed|updated|amended|modified|revised)(?:\s+on)?|date(?:\s+of\s+(?:issue|"
    r"publication|review))?|published(?:\s+on)?|updated(?:\s+on)?|review\s+date)"
    rf"\s*[:\-–]?\s*({_DATE_VALUE})",
    re.I,
)
_META_DATE_NAMES = ("date", "dcterms.modified", "dc.date.modified", "dcterms.date", "dc.date",
                    "article:modified_time", "article:published_time", "last-modified", "modified")


def load_html(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    charset: str | None = None,
    doc_type: str | None = None,
    registered_source: str | None = None,
    boilerplate: Set[str] = frozenset(),
) -> Document:
    """Parse one page into a Document; raises LoadError naming `source` and the reason."""
    soup = _soup(data, source, charset)
    container = _main_container(soup)
    when = _find_date(container, soup)
    _strip_furniture(container)
    title = _title(container, soup, source)
    sections = _sections(container, boilerplate)
    if not sections:
        raise LoadError(source, "no readable text")
    return Document(
        title=title,
        doc_type=doc_type or infer_doc_type(title, url or source),
        source=source,
        sections=tuple(sections),
        url=url,
        date=when,
        registered_source=registered_source,
    )


def page_blocks(data: bytes, *, source: str, charset: str | None = None) -> frozenset[str]:
    """Normalised non-heading block texts of a page's main content (for boilerplate counts)."""
    soup = _soup(data, source, charset)
    container = _main_container(soup)
    _strip_furniture(container)
    return frozenset(normalise_block(text) for kind, _, text in _blocks(container) if kind == "text")


def normalise_block(text: str) -> str:
    """Case- and whitespace-insensitive key for comparing blocks across pages."""
    return " ".join(text.split()).casefold()


def decode_html(data: bytes, source: str, charset: str | None = None) -> str:
    """Decode bytes: BOM, then the HTTP charset, then <meta>, then UTF-8, then windows-1252
    (the legacy default), then detection. A declaration that fails to decode is skipped."""
    if not data or not data.strip():
        raise LoadError(source, "empty file")
    head = data[:4096]
    if head.startswith(b"%PDF-"):
        raise LoadError(source, "not HTML (the data is a PDF)")
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _mostly_binary(head):
        raise LoadError(source, "binary data, not an HTML page")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    meta = _META_CHARSET.search(head)
    for candidate in (charset, meta.group(1).decode("ascii", "ignore") if meta else None, "utf-8"):
        enc = _codec(candidate)
        if enc is None:
            continue
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:  # undeclared and not UTF-8: windows-1252 is the web's (and UK sites') legacy default
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        best = None
    else:
        best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best)
    return data.decode("cp1252", errors="replace")


def _mostly_binary(head: bytes) -> bool:
    """Control bytes (other than tab, newlines, form feed, escape) are rare in any text."""
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls > 0.05 * len(head)


def _codec(label: str | None) -> str | None:
    """Python codec for a charset label; latin-1/ascii mean windows-1252 as in browsers."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _soup(data: bytes, source: str, charset: str | None) -> BeautifulSoup:
    text = decode_html(data, source, charset)
    if "<" not in text[:65536] and len(text.split()) < 3:
        raise LoadError(source, "no readable text")
    soup = BeautifulSoup(text, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    return soup


def _main_container(soup: BeautifulSoup) -> Tag:
    """Pick the main-content element: semantic containers, else the densest text block."""
    body = soup.body or soup
    for el in list(body.find_all(_NOISE_TAGS)):  # script text would confuse density scoring
        el.decompose()
    densest = _densest_block(body)
    best_len = len(_own_text(densest)) if densest is not None else 0
    selectors = ("main", "[role=main]", "article", "#content", "#main-content", "#maincontent",
                 "#main", ".main-content", ".page-content", ".entry-content", ".content")
    for selector in selectors:
        found = [el for el in body.select(selector) if isinstance(el, Tag)]
        if not found:
            continue
        el = max(found, key=lambda e: len(_own_text(e)))
        size = len(_own_text(el))
        if size == 0:
            continue
        nested = densest is None or densest is el or el in densest.parents or densest in el.parents
        if nested or size >= 0.3 * best_len:  # an empty or stub <main> beside the real text loses
            return el
    return densest if densest is not None else body


def _own_text(el: Tag) -> str:
    return " ".join(el.get_text(" ").split())


def _densest_block(body: Tag) -> Tag | None:
    """Readability-style scoring: each paragraph's non-link text counts for its parent and
    half for its grandparent, so the block holding most prose (not link lists) wins."""
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for para in body.find_all(["p", "li", "td", "pre", "blockquote", "dd", *_HEADINGS]):
        text = _own_text(para)
        link = sum(len(_own_text(a)) for a in para.find_all("a"))
        value = max(len(text) - link, 0)
        if value < 20:
            continue
        parent = para.parent
        for weight in (1.0, 0.5):
            while parent is not None and parent.name in ("ul", "ol", "tr", "tbody", "table", "thead"):
                parent = parent.parent
            if parent is None or not isinstance(parent, Tag):
                break
            scores[id(parent)] = scores.get(id(parent), 0.0) + value * weight
            elements[id(parent)] = parent
            parent = parent.parent
    if not scores:
        return None
    return elements[max(scores, key=lambda k: scores[k])]


def _is_furniture(el: Tag) -> bool:
    if el.attrs is None:
        return False
    if el.has_attr("hidden") or el.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(el.get("style", "") or ""):
        return True
    if (el.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    if "breadcrumb" in (el.get("itemtype") or "").lower() or "breadcrumb" in (el.get("aria-label") or "").lower():
        return True
    if el.name == "a" and (el.get("href") or "").startswith("#") and _own_text(el).lower().startswith("skip"):
        return True
    return bool(_NEVER_CONTENT.search(_names(el)))


def _names(el: Tag) -> str:
    return " ".join([el.get("id") or "", *(el.get("class") or [])])


def _strip_furniture(container: Tag) -> None:
    """Remove page furniture inside the chosen container, never the container itself."""
    for el in list(container.find_all(_DROP_TAGS)):
        el.decompose()
    for el in list(container.find_all(["header", "footer"])):
        if el.decomposed:
            continue
        if el.find("h1") is not None:
            el.unwrap()  # an article header holding the title is content
        else:
            el.decompose()
    total = len(_own_text(container)) or 1
    for el in list(container.find_all(True)):
        if el.decomposed:
            continue
        if _is_furniture(el):
            el.decompose()
        elif _USUALLY_NOT_CONTENT.search(_names(el)) or _is_link_list(el):
            if el.find("h1") is None and len(_own_text(el)) <= 0.5 * total:
                el.decompose()  # but keep <div class="page-header"><h1> or a wrapper of the content


def _is_link_list(el: Tag) -> bool:
    """A div/section that is mostly links (a related-pages box or table of contents)."""
    if el.name not in ("div", "section"):
        return False
    links = el.find_all("a")
    if len(links) < 3:
        return False
    text = len(_own_text(el))
    return text > 0 and sum(len(_own_text(a)) for a in links) / text > 0.7


def _title(container: Tag, soup: BeautifulSoup, source: str) -> str:
    h1 = container.find("h1")
    if h1 is not None and _own_text(h1):
        return _own_text(h1)
    if soup.title is not None and _own_text(soup.title):
        return _strip_site_suffix(_own_text(soup.title))
    stem = PurePosixPath(unquote(urlsplit(source).path or source)).stem
    return re.sub(r"[-_]+", " ", stem).strip() or source


def _strip_site_suffix(title: str) -> str:
    """'Professional Curiosity | Tees Procedures' -> 'Professional Curiosity'."""
    title = title.split(" | ")[0].strip()
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        title = title[: title.rfind(parts[-1])].rstrip(" -–—:»")
    return title.strip()


def _find_date(container: Tag, soup: BeautifulSoup) -> str | None:
    """A 'Last reviewed: ...' statement in the content, then date meta tags, then the page."""
    match = _DATE_STATEMENT.search(_own_text(container))
    if match:
        return _iso_date(match.group(1))
    for meta in soup.find_all("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in _META_DATE_NAMES and meta.get("content"):
            return _iso_date(meta["content"])
    match = _DATE_STATEMENT.search(_own_text(soup))
    return _iso_date(match.group(1)) if match else None


def _iso_date(raw: str) -> str:
    """Normalise to yyyy-mm-dd (or yyyy-mm for 'March 2025'); unparseable text is kept."""
    text = raw.strip().rstrip(".").strip()
    iso = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3])) or text
    num = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})", text)
    if num:  # UK order: day/month/year
        year = int(num[3]) + (2000 if len(num[3]) == 2 else 0)
        return _safe_date(year, int(num[2]), int(num[1])) or text
    words = re.findall(r"[a-z]+|\d+", text.lower())
    month = next((_month(w) for w in words if _month(w)), None)
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n >= 1900]
    days = [n for n in numbers if n <= 31]
    if month and years:
        if days:
            return _safe_date(years[0], month, days[0]) or text
        return f"{years[0]:04d}-{month:02d}"
    return text


def _month(word: str) -> int | None:
    return next((n for name, n in _MONTHS.items() if len(word) >= 3 and name.startswith(word)), None)


def _safe_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _sections(container: Tag, boilerplate: Set[str]) -> list[Section]:
    """Group blocks under their heading path (h1 > h2 > ...); empty sections are skipped."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(heading_path=tuple(h for _, h in stack), text=text))
        lines.clear()

    for kind, level, text in _blocks(container):
        if kind == "heading":
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        elif normalise_block(text) not in boilerplate:
            lines.append(text)
    flush()
    return sections


def _blocks(el: Tag) -> Iterator[tuple[str, int, str]]:
    """Yield ('heading', level, text) and ('text', 0, line) in document order."""
    inline: list[str] = []

    def pending() -> Iterator[tuple[str, int, str]]:
        text = _clean("".join(inline))
        inline.clear()
        if text:
            yield ("text", 0, text)

    for child in el.children:
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADINGS:
            yield from pending()
            text = _clean(child.get_text(" "))
            if text:
                yield ("heading", int(name[1]), text)
        elif name in ("ul", "ol"):
            yield from pending()
            yield from (("text", 0, line) for line in _list_lines(child, 0))
        elif name == "table":
            yield from pending()
            yield from (("text", 0, line) for line in _table_lines(child))
        elif name == "br":
            inline.append("\n")
        elif name in _BLOCK_TAGS or child.find(["p", "div", "ul", "ol", "table", *_HEADINGS]):
            yield from pending()
            yield from _blocks(child)
        else:
            inline.append(child.get_text(" ") if name not in ("a", "span", "strong", "em", "b", "i")
                          else _inline_text(child))
    yield from pending()


def _inline_text(el: Tag) -> str:
    return "".join(str(s) if isinstance(s, NavigableString) else
                   ("\n" if s.name == "br" else _inline_text(s)) for s in el.children
                   if isinstance(s, (NavigableString, Tag)))


def _clean(text: str) -> str:
    """Collapse runs of whitespace inside lines; keep explicit line breaks."""
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _list_lines(lst: Tag, depth: int) -> Iterator[str]:
    for item in lst.find_all("li", recursive=False):
        own = []
        nested = []
        for child in item.children:
            if isinstance(child, Tag) and child.name in ("ul", "ol"):
                nested.append(child)
            elif isinstance(child, Tag):
                own.append(child.get_text(" "))
            elif isinstance(child, NavigableString):
                own.append(str(child))
        text = " ".join(" ".join(own).replace("\xa0", " ").split())
        if text:
            yield "  " * depth + "- " + text
        for sub in nested:
            yield from _list_lines(sub, depth + 1)


def _table_lines(table: Tag) -> Iterator[str]:
    caption = table.find("caption")
    if caption is not None and _own_text(caption):
        yield _own_text(caption)
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [_own_text(c) for c in row.find_all(["th", "td"], recursive=False)]
        if any(cells):
            yield " | ".join(cells)
