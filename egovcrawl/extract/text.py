"""Main text: the article body as clean paragraphs, without the page furniture around it.

Three steps over the read-only tree, all iterative (no recursion, linear in the page size):

1. measure: one pass computing, per element, its visible text length, its linked text length and
   the text it holds directly (inline), so that link density and paragraph sizes are lookups;
2. choose: readability-style scoring - each paragraph credits its parent and grandparents with
   points for length and commas; candidates are weighted by link density, class/id words
   (article/content/正文/TRS_Editor vs nav/sidebar/share), schema.org articleBody and proximity
   to the headline element; siblings that continue the article join the winner;
3. write: walk the winner emitting paragraphs (headings and list items on their own lines, <br>
   as line breaks, table rows as lines), skipping furniture subtrees, then drop boilerplate lines
   (links-only lines, `Read more:` teasers, `Go to top`, share/print widgets, date/views meta
   lines, bylines, counters, copyright footers) by the patterns in `text_rules`.

The headline itself is not part of the text (the `aeb` gold bodies leave it out; it is the
`title` field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.dom import NON_TEXT_TAGS, Document, normalize_space
from egovcrawl.extract.text_rules import (
    BLOCK_TAGS,
    BOILERPLATE_ANYWHERE_WORDS,
    BOILERPLATE_LINE_RE,
    BYLINE_RE,
    CELL_TAGS,
    CONTACT_MARKER_RE,
    CONTENT_NAME_RE,
    CONTENT_RE,
    DATE_RE,
    END_MARKER_RE,
    FURNITURE_TAGS,
    HEADING_TAGS,
    HIDDEN_CLASS_RE,
    HIDDEN_STYLE_RE,
    INLINE_TAGS,
    LAYOUT_NAME_RE,
    LEAD_RE,
    LIST_ITEM_TAGS,
    MAX_BOILERPLATE_LINE,
    MAX_LINE_LINK_SHARE,
    MAX_META_LINE,
    MAX_PRE_HEADLINE_LINE,
    MAX_RELATED_ITEM,
    MAX_SIGN_OFF_LINE,
    MAX_TAIL_BLOCK,
    META_WORDS_RE,
    NEGATIVE_TOKENS,
    PARAGRAPH_TAGS,
    RELATED_MARKER_RE,
    SKIP_TAGS,
    SKIP_TOKENS,
    STRONG_NEGATIVE_TOKENS,
    SUBTITLE_RE,
    TAIL_BLOCK_MARKER_RE,
    TOKEN_SPLIT_RE,
    UNSCORED_TAGS,
    WEAK_SKIP_TOKENS,
)
from egovcrawl.extract.title import Headline

#: Inline text shorter than this is not a paragraph (readability uses 25 characters).
MIN_PARAGRAPH_CHARS = 25
#: A CJK character carries about as much as a short word: count it this many times.
CJK_WEIGHT = 2
#: Readability's per-tag starting score for a candidate container.
TAG_BASE_SCORE = {"div": 5, "article": 8, "main": 5, "section": 3, "td": 3, "pre": 3,
                  "blockquote": 3, "form": -3, "ol": -3, "ul": -3, "dl": -3, "li": -3,
                  "address": -3, "th": -5, "h1": -5, "h2": -5, "h3": -5, "h4": -5}
CLASS_WEIGHT = 25
#: A positive class weight counts in full only for elements with this much text.
FULL_CLASS_WEIGHT_CHARS = 400
#: Score factors for where a candidate sits relative to the headline element.
CONTAINS_HEADLINE_FACTOR = 1.1
AFTER_HEADLINE_FACTOR = 1.25
AFTER_HEADLINE_WINDOW = 80  # elements in document order
BEFORE_HEADLINE_FACTOR = 0.6
FURNITURE_FACTOR = 0.3
#: Elements like the top (same tag and class) scoring this share of it are more of the article.
PEER_SHARE = 0.1
#: A sibling block of plain text this long continues the article (a table after the text).
SIBLING_MIN_CHARS = 300
#: A parent adding at most this many characters to the top's text is a mere wrapper of it.
WRAPPER_SLACK_CHARS = 10
PEER_LEVELS = 6  # how far up from the top a repeated unit is looked for
#: A furniture-marked subtree inside the chosen body is kept when it holds this share of its text.
KEEP_FURNITURE_SHARE = 0.5
#: ... and one marked only by a weak token when it holds this much text with few links.
KEEP_TEXT_CHARS = 500
#: A line ending like a sentence with this many words besides its date and meta words is text.
SENTENCE_MIN_WORDS = 6
#: A lead box is looked for among this many elements between the headline and the body ...
LEAD_WINDOW = 60
#: ... and holds at least this much text.
MIN_LEAD_CHARS = 60
#: Table cells with at least this much text are laid out as blocks, shorter ones as columns.
BLOCK_CELL_CHARS = 80

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_COMMA_RE = re.compile(r"[,，、。;；]")
_SENTENCE_END_RE = re.compile(r"[.!?。！？]['\"”’)）]?\s*$")
_WORDISH_RE = re.compile(r"[^\W\d_]+")
_CJK_SENTENCE_END_RE = re.compile(r"[。！？]['\"”’)）]?$")
_SEPARATOR_LINE_RE = re.compile(r"^[\s*•·|]+$")


# ---------------------------------------------------------------------- measure


@dataclass(slots=True)
class _Stats:
    """Per-element measurements from one pass; elements are kept alive by `order`."""

    order: list[HtmlElement] = field(default_factory=list)
    index: dict[HtmlElement, int] = field(default_factory=dict)
    end: dict[HtmlElement, int] = field(default_factory=dict)  # index of last descendant
    total: dict[HtmlElement, int] = field(default_factory=dict)
    links: dict[HtmlElement, int] = field(default_factory=dict)
    inline: dict[HtmlElement, int] = field(default_factory=dict)
    #: `_tokens` verdicts by class/id string: menus and lists repeat the same few names
    names: dict[str, frozenset[str]] = field(default_factory=dict)

    def link_density(self, el: HtmlElement) -> float:
        total = self.total.get(el, 0)
        return self.links.get(el, 0) / total if total else 0.0


def _tag(el: object) -> str:
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


def _is_hidden(el: HtmlElement, classes: dict[str, bool]) -> bool:
    """Hidden by attribute, inline style or class; `classes` memoises the class verdicts of
    one page (its menus and lists repeat a few class strings hundreds of times)."""
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    if style and HIDDEN_STYLE_RE.search(style):
        return True
    cls = get("class")
    if not cls:
        return False
    verdict = classes.get(cls)
    if verdict is None:
        verdict = classes[cls] = HIDDEN_CLASS_RE.search(cls) is not None
    return verdict


def _measure(root: HtmlElement) -> _Stats:
    """Text, link and inline lengths for every visible element under `root`, in one pass.

    lxml's C walker gives start/end events in document order (hidden subtrees are skipped
    whole); each element's sums are final at its end event and are added into its parent's."""
    st = _Stats()
    order, index, end_of = st.order, st.index, st.end
    total, links, inline = st.total, st.links, st.inline
    # comments and processing instructions are not walked, but their tails are text
    other_tails: dict[HtmlElement, int] = {}
    for node in root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity):
        if node.tail and node is not root:
            parent = node.getparent()
            other_tails[parent] = other_tails.get(parent, 0) + len(node.tail.strip())
    non_text, inline_tags = NON_TEXT_TAGS, INLINE_TAGS
    # per open element: direct text length, sums over its children so far
    direct: list[int] = []
    tot: list[int] = []
    lnk: list[int] = []
    inl: list[int] = []
    skipped = None
    hidden_classes: dict[str, bool] = {}
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            if direct and (el.tag.lower() in non_text or _is_hidden(el, hidden_classes)):
                walker.skip_subtree()
                skipped = el
                tail = el.tail
                if tail:
                    direct[-1] += len(tail.strip())
                continue
            index[el] = len(order)
            order.append(el)
            text = el.text
            d = len(text.strip()) if text else 0
            direct.append(other_tails.get(el, 0) + d if other_tails else d)
            tot.append(0)
            lnk.append(0)
            inl.append(0)
            continue
        if el is skipped:
            skipped = None
            continue
        d = direct.pop()
        t = tot.pop() + d
        k = lnk.pop()
        n = inl.pop() + d
        tag = el.tag.lower()
        if tag == "a":
            k = t
        total[el] = t
        links[el] = k
        inline[el] = n
        end_of[el] = len(order) - 1
        if direct:
            tail = el.tail
            if tail:
                direct[-1] += len(tail.strip())
            tot[-1] += t
            lnk[-1] += k
            if tag in inline_tags:
                inl[-1] += n
    return st


def _inline_text(el: HtmlElement) -> str:
    """The text an element holds directly or through inline children (not through blocks)."""
    parts: list[str] = [el.text or ""]
    stack: list[HtmlElement | str] = list(reversed(el))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        tag = _tag(node)
        if tag in INLINE_TAGS:
            if node.tail:
                stack.append(node.tail)
            if node.text:
                parts.append(node.text)
            stack.extend(reversed(node))
        elif node.tail:
            parts.append(node.tail)
    return " ".join(parts)


# ----------------------------------------------------------------------- choose


_NO_TOKENS: frozenset[str] = frozenset()


def _tokens(el: HtmlElement, st: _Stats) -> frozenset[str]:
    """Words of the class/id names, leaving out names that also say "content"
    (`content-with-sidebar`, `article-header-wrap` are containers of the article)."""
    get = el.get
    cls, ident = get("class"), get("id")
    if not cls and not ident:
        return _NO_TOKENS
    value = f"{cls or ''} {ident or ''}"
    out = st.names.get(value)
    if out is None:
        out = st.names[value] = _name_tokens(value.lower())
    return out


def _name_tokens(value: str) -> frozenset[str]:
    out: set[str] = set()
    for name in value.split():
        if LAYOUT_NAME_RE.search(name):
            continue
        parts = {t for t in TOKEN_SPLIT_RE.split(name) if t}
        if CONTENT_NAME_RE.search(name) and not parts & STRONG_NEGATIVE_TOKENS:
            continue
        out.update(parts)
    return frozenset(out)


def _class_weight(el: HtmlElement, st: _Stats) -> float:
    weight = 0.0
    ci = f"{el.get('class', '')} {el.get('id', '')}"
    if ci.strip():
        if _tokens(el, st) & NEGATIVE_TOKENS:
            weight -= CLASS_WEIGHT
        if CONTENT_RE.search(ci):
            weight += CLASS_WEIGHT
    prop = (el.get("itemprop") or "").lower()
    if prop in ("articlebody", "text", "reviewbody"):
        weight += 2 * CLASS_WEIGHT
    return weight


def _under_furniture(el: HtmlElement, stop: HtmlElement, st: _Stats) -> bool:
    node: HtmlElement | None = el
    while node is not None and node is not stop:
        if _tag(node) in FURNITURE_TAGS or node.get("role") in ("navigation", "complementary",
                                                                 "contentinfo"):
            return True
        if _tokens(node, st) & STRONG_NEGATIVE_TOKENS:
            return True
        node = node.getparent()
    return False


def _paragraph_score(text: str, cjk: int | None = None) -> float:
    if cjk is None:
        cjk = len(_CJK_RE.findall(text))
    length = len(text) + (CJK_WEIGHT - 1) * cjk
    return 1.0 + len(_COMMA_RE.findall(text)) + min(length / 100.0, 3.0)


def _score_candidates(st: _Stats, root: HtmlElement) -> dict[HtmlElement, float]:
    scores: dict[HtmlElement, float] = {}
    inline, total = st.inline, st.total
    for el in st.order:
        if inline[el] < MIN_PARAGRAPH_CHARS:
            continue
        tag = el.tag.lower()  # `order` holds elements only
        if tag in INLINE_TAGS or tag in UNSCORED_TAGS:
            continue
        text = normalize_space(_inline_text(el))
        cjk = None
        if len(text) < MIN_PARAGRAPH_CHARS:
            cjk = len(_CJK_RE.findall(text))
            if cjk * CJK_WEIGHT < MIN_PARAGRAPH_CHARS:
                continue
        points = _paragraph_score(text, cjk)
        # a <p> credits its ancestors; a div/td holding text directly is itself the container
        node = el.getparent() if tag in PARAGRAPH_TAGS else el
        level = 0
        while node is not None and level < 3:
            score = scores.get(node)
            if score is None:
                weight = _class_weight(node, st)
                if weight > 0:  # a "content" class on a caption or byline box is no evidence
                    weight *= min(1.0, total.get(node, 0) / FULL_CLASS_WEIGHT_CHARS)
                score = TAG_BASE_SCORE.get(_tag(node), 0) + weight
            scores[node] = score + points / (1 if level == 0 else level * 2)
            if node is root:
                break
            node = node.getparent()
            level += 1
    return scores


def _choose(doc: Document, st: _Stats, root: HtmlElement,
            headline: Headline | None) -> list[HtmlElement]:
    """The element(s) holding the article, in document order."""
    raw = _score_candidates(st, root)
    if not raw:
        return [root]
    h = headline.element if headline is not None else None
    h_idx = st.index.get(h) if h is not None else None
    final: dict[HtmlElement, float] = {}
    for el, score in raw.items():
        score *= 1.0 - st.link_density(el)
        if h_idx is not None:
            start, stop = st.index[el], st.end[el]
            if start <= h_idx <= stop:
                score *= CONTAINS_HEADLINE_FACTOR
            elif 0 < start - h_idx <= AFTER_HEADLINE_WINDOW:
                score *= AFTER_HEADLINE_FACTOR
            elif stop < h_idx:
                score *= BEFORE_HEADLINE_FACTOR
        final[el] = score
    ranked = sorted(final.items(), key=lambda kv: kv[1], reverse=True)[:8]
    for i, (el, score) in enumerate(ranked):
        if _under_furniture(el, root, st):
            ranked[i] = (el, score * FURNITURE_FACTOR)
    top, top_score = max(ranked, key=lambda kv: kv[1])
    roots = _with_siblings(top, top_score, final, st)
    return _with_peers(roots, top, top_score, final, st, root)


def _with_peers(roots: list[HtmlElement], top: HtmlElement, top_score: float,
                final: dict[HtmlElement, float], st: _Stats,
                root: HtmlElement) -> list[HtmlElement]:
    """Articles split into chunks (`<div class="post__content">` x3 around ads and figures,
    teasers of a listing): elements with the top's tag and class that also score join it."""
    # the repeated unit may be an ancestor of the top (a post's body holding an inner table)
    node: HtmlElement | None = top
    for _ in range(PEER_LEVELS):
        if node is None or node is root:
            break
        cls = node.get("class")
        if cls and any(el is not node and el.get("class") == cls and el.tag == node.tag
                       and score >= max(10.0, top_score * PEER_SHARE)
                       for el, score in final.items()):
            if node is not top:
                roots, top = [node], node
            break
        node = node.getparent()
    cls = top.get("class")
    if not cls:
        return roots
    threshold = max(10.0, top_score * PEER_SHARE)
    spans = [(st.index[r], st.end[r]) for r in roots]
    for el, score in final.items():
        if score < threshold or el.get("class") != cls or el.tag != top.tag:
            continue
        if _under_furniture(el, root, st):
            continue
        start, stop = st.index[el], st.end[el]
        if any(a <= start <= b or start <= a <= stop for a, b in spans):
            continue
        roots.append(el)
        spans.append((start, stop))
    roots.sort(key=lambda r: st.index[r])
    return roots


def _with_siblings(top: HtmlElement, top_score: float, final: dict[HtmlElement, float],
                   st: _Stats) -> list[HtmlElement]:
    """Readability's sibling rule: neighbours that score well or read like text join the top.

    The top is first lifted through wrappers that add no text (td -> tr -> table), so that a
    data table or a second text block next to the article's layout table is its sibling.
    """
    while True:
        parent = top.getparent()
        if parent is None or parent not in st.total:
            return [top]
        if st.total[parent] > st.total[top] + WRAPPER_SLACK_CHARS:
            break
        top = parent
    threshold = max(10.0, top_score * 0.2)
    top_class = top.get("class")
    out: list[HtmlElement] = []
    after = False
    for sib in parent:
        if sib is top:
            out.append(sib)
            after = True
            continue
        if sib not in st.total or not st.total[sib]:
            continue
        bonus = top_score * 0.2 if top_class and sib.get("class") == top_class else 0.0
        if sib in final and final[sib] + bonus >= threshold:
            out.append(sib)
        elif _tag(sib) == "p":
            density = st.link_density(sib)
            length = st.total[sib]
            if length > 80 and density < 0.25:
                out.append(sib)
            elif 0 < length <= 80 and density == 0:
                text = normalize_space(sib.text_content())
                if _SENTENCE_END_RE.search(text):
                    out.append(sib)
        elif (after and st.total[sib] >= SIBLING_MIN_CHARS and st.link_density(sib) < 0.2
              and _tag(sib) not in FURNITURE_TAGS and not _tokens(sib, st) & SKIP_TOKENS):
            out.append(sib)
    return out


def _with_lead(roots: list[HtmlElement], h: HtmlElement, st: _Stats,
               root: HtmlElement) -> list[HtmlElement]:
    """The lead paragraph set apart between the headline and the body joins the body.

    Press releases and news pages print a lead (`<p class="lead">`, `teaser-text`) in its own
    box after the headline; scoring picks the body box below it and would drop the lead."""
    h_end = st.end.get(h)
    first = st.index[roots[0]]
    if h_end is None or not 0 <= first - h_end <= LEAD_WINDOW:
        return roots
    for el in st.order[h_end + 1:first]:
        if st.total.get(el, 0) < MIN_LEAD_CHARS or st.link_density(el) > 0.2:
            continue
        name = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        if (LEAD_RE.search(name) and not SUBTITLE_RE.search(name) and _tag(el) not in SKIP_TAGS
                and not _tokens(el, st) & SKIP_TOKENS and not _under_furniture(el, root, st)):
            return [el, *roots]
    return roots


# ------------------------------------------------------------------------ write


@dataclass(slots=True)
class _Line:
    text: str
    link_chars: int
    block: int
    kind: str  # "p", "h", "li", "pre"


class _Writer:
    """Accumulates text into lines and blocks while the tree is walked."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.block = 0
        self.kind = "p"
        self.headline_at = 0  # lines before the headline element (0: not in the body)

    def add(self, text: str, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def line(self) -> None:
        if self.parts:
            text = normalize_space("".join(self.parts))
            if text:
                self.lines.append(_Line(text, self.link_chars, self.block, self.kind))
        self.parts = []
        self.link_chars = 0

    def paragraph(self, kind: str = "p") -> None:
        self.line()
        self.block += 1
        self.kind = kind


def _skippable(el: HtmlElement, st: _Stats, root_total: int, tag: str) -> bool:
    """Furniture inside the body: skip it unless it holds most of the body's text."""
    tokens = _tokens(el, st)
    furniture = (tag in FURNITURE_TAGS or tag in SKIP_TAGS or bool(tokens & SKIP_TOKENS)
                 or el.get("role") in ("navigation", "complementary", "contentinfo"))
    if not furniture:
        return False
    total = st.total.get(el, 0)
    if tokens & STRONG_NEGATIVE_TOKENS or tag in FURNITURE_TAGS:
        return total < root_total * 0.8 or st.link_density(el) > 0.5
    # a long run of plain text is content whatever its class says (`Section--Ads` modifiers)
    if (total >= KEEP_TEXT_CHARS and st.link_density(el) < 0.2 and tag not in SKIP_TAGS
            and tokens & SKIP_TOKENS <= WEAK_SKIP_TOKENS):
        return False
    return total < root_total * KEEP_FURNITURE_SHARE


def _write(roots: list[HtmlElement], st: _Stats,
           headline_el: HtmlElement | None = None) -> tuple[list[_Line], int]:
    """The body's lines, and how many of them come before the headline element."""
    w = _Writer()
    h_idx = st.index.get(headline_el) if headline_el is not None else None
    root_total = sum(st.total.get(r, 0) for r in roots) or 1
    for root in roots:
        w.paragraph()
        # stack items: element to open, ("close", element, tag) or a tail string
        stack: list[object] = [root]
        link_depth = 0
        pre_depth = 0
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                _add_text(w, item, link_depth > 0, pre_depth > 0)
                continue
            if isinstance(item, tuple):
                _, el, tag = item
                if tag == "a":
                    link_depth -= 1
                elif tag == "pre":
                    pre_depth -= 1
                _close(w, el, tag, st)
                continue
            el = item  # type: ignore[assignment]
            tag = el.tag.lower()  # only elements are pushed
            if el is not root and (el not in st.total or (
                    _skippable(el, st, root_total, tag)
                    and not (h_idx is not None and st.index[el] <= h_idx <= st.end[el]))):
                continue  # furniture, unless it is the article's own header (holds the headline)
            _open(w, el, tag, st)
            if el is headline_el:
                w.line()
                w.headline_at = len(w.lines)
            if tag == "a":
                link_depth += 1
            elif tag == "pre":
                pre_depth += 1
            if el.text:
                _add_text(w, el.text, link_depth > 0, pre_depth > 0)
            stack.append(("close", el, tag))
            for child in reversed(el):
                if child.tail:
                    stack.append(child.tail)
                if isinstance(child.tag, str):  # not a comment
                    stack.append(child)
        w.paragraph()
    return w.lines, w.headline_at


def _add_text(w: _Writer, text: str, in_link: bool, in_pre: bool) -> None:
    if not in_pre:
        w.add(text, in_link)
        return
    pieces = text.split("\n")
    for i, piece in enumerate(pieces):
        if i:
            w.line()
        w.add(piece, in_link)


def _open(w: _Writer, el: HtmlElement, tag: str, st: _Stats) -> None:
    if tag == "br":
        w.line()
    elif tag in HEADING_TAGS:
        w.paragraph("h")
    elif tag in LIST_ITEM_TAGS:
        w.line()
        w.kind = "li"
    elif tag in CELL_TAGS:
        if st.total.get(el, 0) >= BLOCK_CELL_CHARS:
            w.paragraph()
        else:
            w.add(" ", False)
    elif tag == "tr":
        w.line()
    elif tag in ("ul", "ol", "dl", "table", "pre"):
        w.paragraph("li" if tag != "pre" else "pre")
    elif tag in BLOCK_TAGS:
        w.paragraph()


def _close(w: _Writer, el: HtmlElement, tag: str, st: _Stats) -> None:
    if tag in LIST_ITEM_TAGS or tag == "tr":
        w.line()
    elif tag in CELL_TAGS:
        if st.total.get(el, 0) >= BLOCK_CELL_CHARS:
            w.paragraph()
        else:
            w.add(" ", False)
    elif tag in HEADING_TAGS or tag in BLOCK_TAGS:
        w.paragraph()


# ----------------------------------------------------------------------- filter


def _is_meta_line(text: str) -> bool:
    """Short lines made of a date plus views/author/source words (`2020-8-20 - 43 Views`)."""
    weighted = len(text) + (CJK_WEIGHT - 1) * len(_CJK_RE.findall(text))
    if weighted > MAX_META_LINE or _CJK_SENTENCE_END_RE.search(text) or not DATE_RE.search(text):
        return False
    rest = DATE_RE.sub(" ", text)
    words = _WORDISH_RE.findall(rest)
    if META_WORDS_RE.search(text):
        # a sentence quoting a date (`Comments can be submitted until 15 April 2024 through
        # the portal.`) is text whatever words it uses; a meta line is mostly labels
        return not (_SENTENCE_END_RE.search(text) and
                    len(META_WORDS_RE.sub(" ", " ".join(words)).split()) >= SENTENCE_MIN_WORDS)
    return sum(len(x) for x in words) <= 12


def _is_boilerplate(line: _Line, headline: str | None) -> bool:
    text = line.text
    length = len(text)
    if line.link_chars and line.link_chars >= length * MAX_LINE_LINK_SHARE:
        return True
    if _SEPARATOR_LINE_RE.match(text):
        return True  # `* * *`, `•`, `|`: separators, not text (`___` and box drawings are kept)
    if length <= MAX_BOILERPLATE_LINE and line.kind != "pre" and (
            _is_boilerplate_line(text) or BYLINE_RE.match(text) or _is_meta_line(text)):
        return True
    if headline:
        if text == headline:
            return True
        # `Headline chinadaily.com.cn | Updated: 2020-08-20`: the headline repeated as a meta line
        if text.startswith(headline) and _is_meta_line(text[len(headline):].strip() or "x"):
            return True
    return False


def _top_level_alternatives(body: str) -> list[str]:
    """The `|`-separated alternatives of a regex body, outside groups and character classes."""
    out: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(body):
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    out.append(body[start:])
    return out


def _fixed_start_boilerplate() -> re.Pattern[str]:
    """BOILERPLATE_LINE_RE less its alternatives that may start anywhere (see
    BOILERPLATE_ANYWHERE_WORDS): the same verdict for lines without those words."""
    src = BOILERPLATE_LINE_RE.pattern
    assert src.startswith("^(?:") and src.endswith(")$")
    alts = _top_level_alternatives(src[4:-2])
    assert "|".join(alts) == src[4:-2]
    fixed = [a for a in alts if not a.startswith(".")]
    return re.compile("^(?:" + "|".join(fixed) + ")$", BOILERPLATE_LINE_RE.flags)


_FIXED_START_BOILERPLATE_RE = _fixed_start_boilerplate()
#: ... tested on the lowercased line; U+0307 (from a lowercased İ), ı and ſ are letters that re.I
#: matches to i and s but lowercasing keeps apart: lines with them take the full pattern
_ANYWHERE_WORDS_RE = re.compile(
    "|".join(re.escape(w) for w in (*BOILERPLATE_ANYWHERE_WORDS, "\u0307", "\u0131", "\u017f")))


def _is_boilerplate_line(text: str) -> bool:
    if _ANYWHERE_WORDS_RE.search(text.lower()):
        return BOILERPLATE_LINE_RE.match(text) is not None
    return _FIXED_START_BOILERPLATE_RE.match(text) is not None


_WORD_CHAR_RE = re.compile(r"[^\W_]")


def _sign_off_start(lines: list[_Line]) -> int:
    """Index of a press-release end marker (`###`, `-30-`, `Ends/...`, `NNNN`) after which only
    short sign-off lines follow; len(lines) when there is none."""
    cut = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        text = lines[i].text
        if len(text) > MAX_SIGN_OFF_LINE:
            break
        if len(text) <= MAX_BOILERPLATE_LINE and END_MARKER_RE.match(text):
            cut = i
    # an author bio or the study's reference: a marker heading near the end, little after it
    tail = 0
    for i in range(cut - 1, -1, -1):
        text = lines[i].text
        if len(text) <= MAX_BOILERPLATE_LINE and TAIL_BLOCK_MARKER_RE.match(text):
            return i
        tail += len(text)
        if tail > MAX_TAIL_BLOCK:
            break
    return cut


def _clean(lines: list[_Line], headline: str | None, headline_at: int = 0) -> str | None:
    kept: list[_Line] = []
    in_related = False
    end = _sign_off_start(lines)
    for i, ln in enumerate(lines[:end]):
        if i < headline_at and len(ln.text) <= MAX_PRE_HEADLINE_LINE:
            continue  # kicker, section label or release header above the headline
        if in_related:
            if len(ln.text) <= MAX_RELATED_ITEM:
                continue
            in_related = False
        if len(ln.text) <= MAX_BOILERPLATE_LINE and (RELATED_MARKER_RE.match(ln.text)
                                                     or CONTACT_MARKER_RE.match(ln.text)):
            in_related = True
            continue
        if not _is_boilerplate(ln, headline):
            kept.append(ln)
    # headings left with no text after them introduced something we dropped (related links)
    while kept and kept[-1].kind == "h":
        kept.pop()
    if not kept:
        return None
    out: list[str] = []
    block = kept[0].block
    current: list[str] = []
    for ln in kept:
        if ln.block != block:
            out.append("\n".join(current))
            current = []
            block = ln.block
        current.append(ln.text)
    out.append("\n".join(current))
    text = "\n\n".join(out).strip()
    # punctuation or markup debris with no letter or digit in it is not text
    return text if _WORD_CHAR_RE.search(text) else None


# ------------------------------------------------------------------------ API


def extract_text(doc: Document, headline: Headline | None) -> str | None:
    """The main text of the page, paragraphs separated by a blank line; None if there is none."""
    doc.all_elements  # noqa: B018 - holds the element proxies for every later walk
    root = doc.body
    st = _measure(root)
    if not st.total.get(root):
        return None
    roots = _choose(doc, st, root, headline)
    if headline is not None and headline.element is not None:
        roots = _with_lead(roots, headline.element, st, root)
    title = normalize_space(headline.title) if headline is not None else None
    lines, headline_at = _write(roots, st, headline.element if headline is not None else None)
    return _clean(lines, title, headline_at)


def text_from_element(el: HtmlElement) -> str | None:
    """Clean text of an element a site profile pinned the body to (same cleaning, no choosing)."""
    st = _measure(el)
    if not st.total.get(el):
        return None
    return _clean(_write([el], st)[0], None)
