"""Copyright: the site footer's holder, years, theme/CMS credit and Chinese ICP licence number.

`版权所有 © 2020 good news · Theme By Ameli ·` -> holder `good news`, years (2020, 2020),
credit `Theme By Ameli`. `版权所有：武汉市人民政府办公厅 主办：…` -> that office; `主办：` is the
holder only when nothing says 版权所有/©. `鄂ICP备12345678号-1` is kept in `icp`, never in
the holder.

Where: only the last part of the page is searched (footers are there), footer-like blocks first
(footer tag, class/id foot/copyright/bottom, role=contentinfo); a © inside the article, a figure
caption or a quote (photo credits such as `© dpa`) is never the site's copyright. A credit
(`Powered by WordPress`, `Joomla!`, `Designed by …`, `技术支持：…`) is cut out before the holder is
read, so it can never become the holder.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, class_id, normalize_space
from egovcrawl.extract.model import Copyright
from egovcrawl.extract.textnodes import needle_re, text_nodes_with

# --- data -------------------------------------------------------------------------------------

#: A copyright marker. `Copyright` must be followed by ©, a year, `by` or a colon so that prose
#: about copyright law is not a footer; `(c)` only counts before a year.
MARK_RE = re.compile(
    r"©|&copy;|\(c\)(?=\s*(?:19|20)\d\d)|copy\s*right(?=\s*(?:©|\(c\)|&copy;|(?:19|20)\d\d|[:：]"
    r"|by\b))|copr\.",
    re.I,
)
RESERVED_RE = re.compile(r"版权所有|版權所有|版权归|著作权所有")
HOST_RE = re.compile(r"主办单位|主办|主辦")
#: Chinese ICP licence numbers: `鄂ICP备12345678号-1`, `京ICP证030173号`. 公网安备 is not ICP.
ICP_RE = re.compile(r"[\u4e00-\u9fff]?\s*ICP\s*[备證证]\s*[:：]?\s*[A-Z]?\d[\d\-]{3,}\s*号?"
                    r"(?:\s*-\s*\d{1,3})?")
OTHER_LICENCE_RE = re.compile(
    r"[\u4e00-\u9fff]{0,2}公网安备\s*[:：]?\s*\d+\s*号?|网站标识码\s*[:：]?\s*\w+|"
    r"许可证(?:编号|号)?\s*[:：]?\s*[\w\-]+",
)
#: Theme/CMS/agency credits: never the holder.
CREDIT_RE = re.compile(
    r"(?:(?:proudly\s+)?powered\s+by|theme\s+by|theme\s*[:：]|designed\s+(?:and\s+"
    r"(?:developed|built)\s+)?by|design\s+by|developed\s+by|website\s+by|site\s+by|"
    r"built\s+(?:with|by)|hosted\s+by|made\s+with|created\s+by|realisiert\s+(?:von|durch)|"
    r"umsetzung\s*[:：]|gestaltung\s*[:：]|entwickelt\s+von|webdesign\s*[:：]?|"
    r"content\s+management\s+by|cms\s*[:：]|"
    r"技术支持|网站建设|设计制作|网站设计|建设维护|技术维护|网站制作)\s*[:：]?\s*",
    re.I,
)
#: CMS names that are credits even without a `Powered by` in front.
CMS_RE = re.compile(r"Joomla!?(?:\s+is\s+Free\s+Software[^|\n]*)?|WordPress(?:\.org)?"
                    r"|Drupal|TYPO3|Wix\.com", re.I)
#: Where a name (holder or credit) ends.
#: "All rights reserved" in the languages of the sites we meet: never (part of) a holder.
RIGHTS = (r"(?:all\s+rights|alle\s+rechte|tous\s+droits|todos\s+(?:os|los)\s+direitos|"
          r"todos\s+los\s+derechos|tutti\s+i\s+diritti|alle\s+reche|some\s+rights|"
          r"einige\s+rechte|rights\s+reserved|visos\s+teis|minden\s+jog|wszelkie\s+prawa|"
          r"prava\s+zadr|riproduzione\s+riservata|все\s+права|усі\s+права|telif\s+hak|حقوق|저작권|無断転載)")
RIGHTS_RE = re.compile(RIGHTS, re.I)
#: A full date inside a would-be holder (`©SZ vom 15.05.2019/vit`): an article's print credit.
DATE_IN_NAME_RE = re.compile(
    r"\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d\d|(?:19|20)\d\d[-/.]\d\d?[-/.]\d")
STOP_RE = re.compile(
    r"\s*(?:[|｜·•\n;；，。、<>«»©]|\s(?:und|and|&)\s+(?:©|copyright)|\s[-–—/]\s|,\s*(?!(?:inc|ltd|llc|gmbh|ag|e\.\s?v|s\.a|co|corp|"
    r"plc|kg)\b)|" + RIGHTS + r"|"
    r"保留|版权所有|版權所有|不得|未经|严禁|主办|承办|协办|主管|技术支持|地址|电话|邮编|传真|"
    r"联系|网站标识码|备案|ICP|公网安备|e-?mail|tel\.?\s|phone|fax|impressum|datenschutz|"
    r"kontakt|privacy|terms|cookie|disclaimer|sitemap|(?:proudly\s+)?powered\s|theme\s*(?:by|:)|"
    r"design(?:ed)?\s+by|developed\s+by|hosted\s+by|built\s+with|realisiert|"
    r"(?<!\b[A-Z])\.(?:\s|$)|\s\((?!c\))|(?<![\w.])(?:19|20)\d{2}(?!\d))",
    re.I,
)
#: Abbreviations whose final dot belongs to the name (`Sohu.com Inc.`).
ABBREV_RE = re.compile(r"\b(?:inc|ltd|co|corp|llc|plc|e\.\s?v|gmbh|s\.a|bros)$", re.I)
#: Phrases before 版权所有 that are not part of the holder (`所有内容为中国西藏新闻网版权所有`).
LEADING_JUNK_RE = re.compile(r"^(?:本站|本网站?|网站)?(?:所有|全部)?(?:内容|文章|资料|信息)?"
                             r"(?:均|皆)?(?:为|归|属于)\s*")
YEARS_RE = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})(?:\s*(?:[-–—~～至到/]|bis|to|until)\s*((?:19|20)\d{2}|\d{2})"
    r"(?!\d))?(?!\d)", re.I)
FIRST_YEAR, LAST_YEAR = 1980, 2100
#: class/id fragments of footer-like blocks; searched first.
FOOTER_RE = re.compile(r"foot|bottom|colophon|site-?info|legal|banquan|dibu|contentinfo|imprint",
                       re.I)
#: A `copyright` class marks a footer line, or a picture credit when an image is beside it.
COPYRIGHT_CLASS_RE = re.compile(r"copyright|(?:^|[\s_\-])copy(?:$|[\s_\-])", re.I)
#: Containers whose © belongs to the article or a picture, not the site.
NOT_FOOTER_TAGS = frozenset({"article", "figure", "figcaption", "blockquote", "caption",
                             "q", "cite"})
NOT_FOOTER_RE = re.compile(r"(?:^|[\s_\-])(?:caption|wp-caption|bildunterschrift|bildnachweis|"
                           r"photo|image|img|picture|figure|article-?body|entry-content|"
                           r"post-content|articlebody)(?:$|[\s_\-\d])", re.I)
BLOCK_TAGS = frozenset({"p", "div", "td", "th", "li", "dd", "dt", "footer", "section", "address",
                        "center", "tr", "table", "ul", "ol", "body", "form", "header", "aside",
                        "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dl", "article"})
NEEDLES = ("©", "opyright", "OPYRIGHT", "opy right", "版权", "版權", "(c)", "(C)", "ICP", "主办",
           "主辦", "Copr")
#: Only this many final text nodes of the body are searched: the footer lives there.
LAST_NODES = 600
MAX_NAME_CHARS = 80
MAX_LINE_CHARS = 500

# --- parsing ----------------------------------------------------------------------------------

_NEEDLES = needle_re(NEEDLES)
_LINE_BREAK = "\x1e"  # <br> and block boundaries; source newlines are only wrapping
_IMAGES = etree.XPath("./img|./picture|./*/img|./*/picture|./video")
_CJK = r"\u3400-\u9fff"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_HAS_WORD_RE = re.compile(rf"[A-Za-z{_CJK}]")
_BREAK_RE = re.compile(r"\u3000|\u00a0{2,}|\t| {3,}")


def _cut_name(s: str) -> str | None:
    """The name at the start of `s`, up to the next separator or label; None if not a name."""
    s = s[:MAX_NAME_CHARS * 2].lstrip(" :：,，-–—·•|")
    if RIGHTS_RE.match(s) or DATE_IN_NAME_RE.search(s[:40]):
        return None
    s = re.sub(r"^(?:by|von|par)\s+", "", s, flags=re.I)
    m = STOP_RE.search(s)
    name = s[:m.start()] if m else s
    if m and m.group().startswith(".") and ABBREV_RE.search(name):
        name += "."
    gap = _CJK_GAP_RE.search(name)  # CJK names hold no spaces: `四通利方 新浪网` is two names
    if gap:
        name = name[:gap.start()]
    name = YEARS_RE.sub("", name) if YEARS_RE.fullmatch(name.strip()) else name
    name = re.sub(r"^\s*(?:©|\(c\)|copyright)\s*", "", name, flags=re.I)
    name = re.sub(r"\s*(?:(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)?\d{2})?)\s*$", "", name)
    name = name.strip(" ,，:：-–—()[]\"'“”")
    if not name or len(name) > MAX_NAME_CHARS or not _HAS_WORD_RE.search(name):
        return None
    return name


def _years(s: str) -> tuple[int, int] | None:
    m = YEARS_RE.search(s)
    if not m:
        return None
    first = int(m.group(1))
    last = first
    if m.group(2):
        tail = m.group(2)
        last = int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail)
    if not (FIRST_YEAR <= first <= last <= LAST_YEAR):
        return None
    return first, last


def _strip_credits(text: str) -> tuple[str, list[str]]:
    """Cut theme/CMS credits out of a footer line; return the rest and the credits found."""
    credits: list[str] = []
    out: list[str] = []
    pos = 0
    for m in CREDIT_RE.finditer(text):
        if m.start() < pos:
            continue
        name = _cut_name(text[m.end():])
        end = m.end()
        if name:
            end = text.find(name, m.end()) + len(name)
        credits.append(normalize_space(text[m.start():end]))
        out.append(text[pos:m.start()])
        out.append(" | ")
        pos = end
    out.append(text[pos:])
    rest = "".join(out)
    if not credits:
        m = CMS_RE.search(rest)
        if m and not MARK_RE.search(rest[max(0, m.start() - 20):m.start()]):
            credits.append(normalize_space(m.group()))
            rest = rest[:m.start()] + " | " + rest[m.end():]
    return rest, credits


def parse_copyright(text: str) -> Copyright | None:
    """Holder, years, credit and ICP number from footer text; None if it carries none of them."""
    found = _parse_line(text[:MAX_LINE_CHARS * 4])
    return found[1] if found else None


def _parse_line(line: str) -> tuple[int, Copyright] | None:
    """(rank, record): rank 0 = holder from ©/版权所有, 1 = years only, 2 = 主办, 3 = ICP/credit."""
    raw = normalize_space(line)[:MAX_LINE_CHARS]
    line = _BREAK_RE.sub(" | ", line)
    icp_m = ICP_RE.search(line)
    icp = re.sub(r"\s+", "", icp_m.group()) if icp_m else None
    work = ICP_RE.sub(" | ", line)
    work = OTHER_LICENCE_RE.sub(" | ", work)
    work, credits = _strip_credits(work)
    work = normalize_space(work.replace("\n", " | "))
    holder: str | None = None
    years: tuple[int, int] | None = None
    rank = 3
    for m in MARK_RE.finditer(work):
        after = work[m.end():]
        lead = re.match(r"\s*(?:(?:©|\(c\)|&copy;|copyright)\s*)*[:：]?\s*", after, re.I)
        after = after[lead.end() if lead else 0:]
        ym = re.match(YEARS_RE.pattern, after, re.I)
        years = years or _years(work[m.end():m.end() + 40])
        if ym:
            after = after[ym.end():]
        holder = _cut_name(after.lstrip(" ,，.")) if not RESERVED_RE.match(after.strip()) else None
        if holder:
            break
    if holder is None:
        for m in RESERVED_RE.finditer(work):
            after = work[m.end():]
            years = years or _years(after[:40])
            after = re.sub(r"^\s*[:：]?\s*(?:(?:©|\(c\))\s*)?(?:" + YEARS_RE.pattern + r")?"
                           r"\s*[,，.:：]?\s*", "", after, flags=re.I)
            holder = _cut_name(after)
            if holder is None:
                holder = _name_before(work[:m.start()])
            if holder:
                break
    first_mark = MARK_RE.search(work)
    if holder is None and first_mark:
        # `Yahoo.com.cn © 2006`, `Reddit Inc © 2020`: the holder printed before the mark
        years = years or _years(work[first_mark.end():first_mark.end() + 40])
        holder = _name_before(work[:first_mark.start()])
    if holder is not None or years is not None:
        rank = 0 if holder else 1
    if holder is None:
        m = HOST_RE.search(work)
        if m:
            host = _cut_name(re.sub(r"^\s*[:：]\s*", "", work[m.end():]))
            if host and re.match(r"\s*[:：]", work[m.end():]):
                holder, rank = host, 2
    if holder is None and years is None and icp is None and not credits:
        return None
    return rank, Copyright(holder=holder, years=years, year=years[1] if years else None,
                           text=raw,
                           credit=" | ".join(dict.fromkeys(credits)) or None, icp=icp)


def _name_before(s: str) -> str | None:
    """The holder printed before 版权所有 (`网易公司版权所有`, `Yahoo.com.cn © 2006 版权所有`)."""
    seg = re.split(r"[|｜·•\n;；，。]|\s[-–—/]\s", s)[-1]
    seg = MARK_RE.sub(" ", seg)
    seg = YEARS_RE.sub(" ", seg)
    seg = RIGHTS_RE.split(seg)[0] if RIGHTS_RE.match(seg.strip()) is None else ""
    seg = seg.strip()
    if len(seg) > MAX_NAME_CHARS or len(seg.split()) > 6:
        return None  # a sentence before the mark, not a name
    parts = re.split(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", seg)
    seg = LEADING_JUNK_RE.sub("", parts[-1].strip())
    return _cut_name(seg) if seg else None


# --- search -----------------------------------------------------------------------------------


def extract_copyright(doc: Document) -> Copyright | None:
    """The site's copyright footer, or None. Footer-like blocks first, never the article."""
    lines: list[tuple[int, int, int, Copyright]] = []  # (tier, rank, order, record)
    seen: set[HtmlElement] = set()
    for node in text_nodes_with(doc, doc.body, _NEEDLES, last=LAST_NODES):
        el = node.getparent()
        if el is not None and node.is_tail:
            el = el.getparent()
        block, tier = _block(el)
        if block is None or block in seen:
            continue
        seen.add(block)
        for line in _lines(block):
            if not _NEEDLES.search(line):
                continue
            parsed = _parse_line(line)
            if parsed is None:
                continue
            rank, rec = parsed
            if tier == 1 and rank == 2:
                continue  # `主办：` outside a footer is an event organiser in prose
            lines.append((tier, rank, len(lines), rec))
    meta = doc.meta_first("copyright", "dc.rights", "dcterms.rights", "rights")
    if meta:
        parsed = _parse_line(meta)
        if parsed and parsed[1].holder:
            lines.append((2, parsed[0], len(lines), dataclasses.replace(parsed[1], text=meta)))
    if not lines:
        return None
    lines.sort(key=lambda t: (t[0], t[1], t[2]))
    best = next((r for *_, r in lines if r.holder), lines[0][3])
    holder, years, text = best.holder, best.years, best.text
    if years is None:
        years = next((r.years for *_, r in lines if r.years and r.holder in (None, holder)), None)
        if best.holder and years and lines[0][3].years == years and lines[0][3] is not best:
            text = f"{lines[0][3].text} {text}"[:MAX_LINE_CHARS]
    credits = [c for *_, r in lines if r.credit for c in r.credit.split(" | ")]
    icp = next((r.icp for *_, r in lines if r.icp), None)
    if holder is None and years is None:
        text = next((r.text for *_, r in lines if r.icp), text)
    return Copyright(holder=holder, years=years, year=years[1] if years else None, text=text,
                     credit=" | ".join(dict.fromkeys(credits)) or None, icp=icp)


def _block(el: HtmlElement | None) -> tuple[HtmlElement | None, int]:
    """The block holding a text node, and its tier: 0 footer-like, 1 elsewhere at the end.

    None for text in scripts, the article, quotes, and picture credits: a `© Getty Images` next
    to an image (even in a `copyright`-classed span) is the picture's, not the site's.
    """
    block: HtmlElement | None = None
    weak: HtmlElement | None = None
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("script", "style", "title", "option", "select", "noscript"):
            return None, 1
        ci = class_id(node)
        if tag == "footer" or node.get("role") == "contentinfo" or FOOTER_RE.search(ci):
            # a real footer: logos beside the line do not matter
            return (block if block is not None else node), 0
        if tag in NOT_FOOTER_TAGS or NOT_FOOTER_RE.search(ci):
            return None, 1
        if weak is None and COPYRIGHT_CLASS_RE.search(ci):
            weak = node
        if block is None and tag in BLOCK_TAGS:
            block = node
        node = node.getparent()
    if weak is not None and not _by_image(weak):
        return (block if block is not None else weak), 0
    if block is None or _by_image(block):
        return None, 1
    return block, 1


def _by_image(block: HtmlElement) -> bool:
    """A short block holding or right beside an image: a picture credit."""
    if block.tag in ("footer", "body") or len(block) > 12:
        return False
    if _IMAGES(block):
        return True
    for sib in (block.getprevious(), block.getnext()):
        if sib is not None and (sib.tag in ("img", "picture", "figure", "video")
                                or _IMAGES(sib)) and len(sib) <= 4:
            return True
    return False


def _lines(block: HtmlElement) -> list[str]:
    """The block's text split at <br> and child blocks (iterative: deep trees are safe)."""
    parts: list[str] = []
    if block.text:
        parts.append(block.text)
    stack: list[object] = list(reversed(block))
    while stack and len(parts) < 2000:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        node = item
        assert isinstance(node, HtmlElement)
        tag = node.tag if isinstance(node.tag, str) else ""
        brk = tag == "br" or tag in BLOCK_TAGS
        if tag in ("script", "style", "noscript", "template", "select", "option"):
            if node.tail:
                parts.append(node.tail)
            continue
        if brk:
            parts.append(_LINE_BREAK)
        if tag in ("td", "th"):
            parts.append("\u3000")  # a cell boundary separates fields like a full-width gap
        if node.tail:
            stack.append(node.tail)
        if brk:
            stack.append(_LINE_BREAK)
        stack.extend(reversed(node))
        if node.text:
            stack.append(node.text)  # pushed last: popped first, before the children
    text = "".join(parts).replace("\n", " ").replace("\r", " ")  # source line wraps are spaces
    return [ln[:MAX_LINE_CHARS * 2] for ln in (x.strip() for x in text.split(_LINE_BREAK))
            if ln][:50]
