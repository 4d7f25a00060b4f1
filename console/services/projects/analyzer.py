"""Which of the 10 ontology types a v0 project needs, from its React/TS source.

Heuristics, like the platform's own analyzer: each category has named
signals (a regular expression over the source without comments, and a
weight). A category's confidence combines the distinct signals that fired,
``1 - prod(1 - weight)``, so a signal seen in ten files counts once.

Signals are *strong* or *weak*. A strong signal is structural: data rendered
as a list (``tickets.map``), a component named for the data, a library built
for it, a data form's fields, a stored collection or an API route. A weak
signal is a word ("priority", "agenda", "pipeline"), which apps use in prose
all the time. A category is reported only with a strong signal, or with
several distinct weak ones (``CategoryRule.min_weak``); forms always need a
strong one. Some strong signals look at the file or the form around a match
(``Signal.accept``): a ``<form>`` is a data form only if it has fields and is
not a login, a search box or a chat composer; ``tickets.map`` is a support
queue only next to priorities or statuses, not on an event's ticket tiers.

The weights and thresholds are tuned on the labelled corpus in
tests/data/v0corpus (``python -m bench.detection`` prints the figures). Words
in German and Portuguese count like English ones. Every detection carries its
evidence: file, line, signal, excerpt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from console.services.projects.jsscan import Source
from console.services.projects.models import (
    CATEGORY_IDS,
    CategoryId,
    DataNeed,
    Decision,
    Detection,
    Evidence,
)

logger = logging.getLogger(__name__)

#: Below this a detection is not reported at all.
REPORT_THRESHOLD = 0.3
#: From this on the default decision is "Create"; the user confirms either way.
#: One strong signal reaches it.
CREATE_THRESHOLD = 0.5
#: Words alone (no strong signal) can be reported but never default to Create.
WEAK_ONLY_CEILING = 0.45
EVIDENCE_PER_SIGNAL = 3
SOURCE_SUFFIXES = (".tsx", ".jsx", ".ts", ".js", ".mjs")
#: Library code that says nothing about the app's data (shadcn/ui, helpers).
EXCLUDED_PREFIXES = ("components/ui/", "src/components/ui/", "node_modules/")
EXCLUDED_FILES = frozenset(
    {
        "lib/utils.ts",
        "src/lib/utils.ts",
        "hooks/use-toast.ts",
        "hooks/use-mobile.tsx",
        "hooks/use-mobile.ts",
        "src/hooks/use-toast.ts",
        "src/hooks/use-mobile.tsx",
        "src/hooks/use-mobile.ts",
    }
)


@dataclass(frozen=True)
class Scan:
    """One analysed file: its text without comments, lowercased once, and the source.

    Attributes:
        text: the file without comments (strings kept), same offsets as the file.
        lower: `text` lowercased with the same length, for the case-blind signals.
    """

    source: Source
    text: str
    lower: str
    #: Whole-file checks already made (pattern -> found), as several matches ask.
    seen: dict[re.Pattern[str], bool] = field(default_factory=dict, compare=False, repr=False)

    def has(self, pattern: re.Pattern[str], *, case: bool = False) -> bool:
        """Whether `pattern` occurs anywhere in the file (lowercased unless `case`)."""
        found = self.seen.get(pattern)
        if found is None:
            found = self.seen[pattern] = (
                pattern.search(self.text if case else self.lower) is not None
            )
        return found

    @classmethod
    def of(cls, source: Source) -> Scan:
        # Masking runs character by character in Python: skip files with no comment.
        raw = source.text
        text = source.uncommented if "//" in raw or "/*" in raw else raw
        lower = text.lower()
        if len(lower) != len(text):  # a few letters lowercase to two characters
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return cls(source, text, lower)


#: Decides whether one match counts, looking at its file (or form) around it.
Accept = Callable[[Scan, re.Match[str]], bool]


@dataclass(frozen=True)
class Signal:
    """One hint towards a category.

    Attributes:
        strong: structural evidence that can carry the category alone; weak
            signals (words) only count when several fire.
        accept: if set, a match counts only when this returns True.
        case: matched against the text as written; otherwise against the
            lowercased text, so the pattern is written in lowercase.
        word_start: a match must start a word (the pattern's leading `\\b`,
            checked here because it stops the regex engine from skipping
            ahead to the possible first letters).
        heads: literal starts of every alternative, if the pattern has them:
            a file containing none of them cannot match, and `in` is far
            cheaper than running the pattern.
    """

    name: str
    pattern: re.Pattern[str]
    weight: float
    strong: bool = False
    accept: Accept | None = None
    case: bool = False
    word_start: bool = False
    heads: tuple[str, ...] = ()

    def possible(self, text: str, lower: str) -> bool:
        """False if text (all of a project's, or one file's) cannot hold a match."""
        haystack = text if self.case else lower
        return not self.heads or any(head in haystack for head in self.heads)

    def matches(self, scan: Scan) -> Iterator[re.Match[str]]:
        if not self.possible(scan.text, scan.lower):
            return
        text = scan.text if self.case else scan.lower
        for match in self.pattern.finditer(text):
            start = match.start()
            if self.word_start and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue
            if self.accept is None or self.accept(scan, match):
                yield match


@dataclass(frozen=True)
class CategoryRule:
    """How one category is detected.

    Attributes:
        signals: the hints, each counted once however often it fires.
        min_weak: distinct weak signals that stand in for a strong one; None
            when only a strong signal will do.
    """

    category: CategoryId
    signals: tuple[Signal, ...]
    min_weak: int | None = 3


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    branches: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    branches.append(pattern[start:])
    return branches


_STOP = frozenset("\\.^$*+?{}[]()|")


def _heads(pattern: str) -> tuple[str, ...]:
    """Literal text every match starts with, one per alternative; () if some has none."""
    heads: list[str] = []
    for branch in _branches(pattern):
        branch = branch.removeprefix(r"\b")
        if branch.startswith("(?:"):
            close = _group_end(branch)
            inner = _heads(branch[3:close])
            if not inner or branch[close + 1 : close + 2] in ("?", "*", "{"):
                return ()
            heads.extend(inner)
            continue
        literal = []
        index = 0
        while index < len(branch):
            char = branch[index]
            if char == "\\" and index + 1 < len(branch) and not branch[index + 1].isalnum():
                literal.append(branch[index + 1])
                index += 2
                continue
            if char in _STOP:
                break
            literal.append(char)
            index += 1
        if index < len(branch) and branch[index] in "?*{" and literal:
            literal.pop()  # the last character is optional
        if not literal:
            return ()
        heads.append("".join(literal))
    return tuple(heads)


def _group_end(branch: str) -> int:
    """Index of the parenthesis closing the group `branch` starts with."""
    depth, index, in_class = 0, 0, False
    while index < len(branch):
        char = branch[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(branch)


def _signal(
    name: str, pattern: str, weight: float, strong: bool, accept: Accept | None, case: bool
) -> Signal:
    branches = _branches(pattern)
    word_start = all(branch.startswith(r"\b") for branch in branches)
    if word_start:
        pattern = "|".join(branch[2:] for branch in branches)
    return Signal(
        name, re.compile(pattern), weight, strong, accept, case, word_start, _heads(pattern)
    )


def _strong(
    name: str, pattern: str, weight: float, accept: Accept | None = None, *, case: bool = False
) -> Signal:
    return _signal(name, pattern, weight, True, accept, case)


def _weak(name: str, pattern: str, weight: float) -> Signal:
    return _signal(name, pattern, weight, False, None, False)


def _in_file(pattern: str) -> Accept:
    """Accept a match only if `pattern` (lowercase) also occurs in the same file."""
    compiled = re.compile(pattern)

    def accept(scan: Scan, _match: re.Match[str]) -> bool:
        return scan.has(compiled)

    return accept


def _stored(words: str) -> str:
    """A table or collection of that name: Drizzle, Mongo, Firestore, Supabase..."""
    return (
        r"(?:pgtable|sqlitetable|mysqltable|collection|model|\.from)"
        rf"\s*\(\s*(?:\w+\s*,\s*)?[\"'`](?:{words})[\"'`]"
    )


def _api_call(words: str) -> str:
    """A request to the app's own API route for that data."""
    return rf"/api/(?:{words})(?:[/?\"'`$])"


# --- forms: what makes a <form> or a group of inputs a data form ------------------

_FORM_END = re.compile(r"</form\s*>")
_FIELD = re.compile(
    r"<(?:Input|input|Textarea|textarea|select|Select|Checkbox|RadioGroup|Switch|InputOTP)\b"
    r"|<FormField\b|\{\s*\.\.\.register\s*\("
)
_PASSWORD = re.compile(r"type\s*=\s*[\"']password[\"']")
# The composer of a chat UI is a <form> too, but what it sends is a message.
_CHAT_COMPOSER = re.compile(
    r"\bsendMessage\b|\bhandleInputChange\b|\bvalue\s*=\s*\{\s*input\s*\}"
    r"|\bappend\s*\(\s*\{\s*role\b"
)
_SEARCH = re.compile(
    r"type\s*=\s*[\"']search[\"']|name\s*=\s*[\"']q[\"']"
    r"|placeholder\s*=\s*[\"'](?:search|suche|durchsuchen|buscar|pesquisar)",
    re.I,
)
_INPUT_TAG = re.compile(r"<(?:Input|input|Textarea|textarea)\b")
_TAG_WINDOW = 600
# A group of controlled inputs is a form when the file also sends something.
_SUBMISSION = re.compile(
    r"method\s*:\s*[\"'](?:POST|PUT|PATCH)[\"']|\b(?:addDoc|setDoc|insertOne)\s*\("
    r"|\.insert\s*\(|\bstartTransition\s*\(|\bmutate(?:Async)?\s*\(",
    re.I,
)
_PERSON = re.compile(r"\b(?:name|full_?name|vorname|nachname|nome|first_?name)\b", re.I)
_REACH = re.compile(r"\b(?:e-?mail|phone|telefon|telefone|tel|whatsapp)\b", re.I)
_MESSAGE = re.compile(
    r"\b(?:message|nachricht|mensagem|anfrage|anliegen|inquiry|enquiry|your question)\b", re.I
)
_FREE_TEXT = re.compile(r"<(?:Textarea|textarea)\b")
# Booking and payment forms ask for the same person fields: those are not leads.
_NOT_A_LEAD = re.compile(
    r"<Calendar\b|\bPaymentElement\b|\bhor[áa]rio|\buhrzeit|\btime ?slot|\bcheckout\b", re.I
)


def _form_block(scan: Scan, match: re.Match[str]) -> str:
    end = _FORM_END.search(scan.lower, match.end())
    stop = end.end() if end else min(len(scan.text), match.end() + 4000)
    return scan.text[match.start() : stop]


def _is_data_form(block: str) -> bool:
    fields = len(_FIELD.findall(block))
    if fields == 0 or _PASSWORD.search(block) or _CHAT_COMPOSER.search(block):
        return False
    return not (fields == 1 and _SEARCH.search(block))


def _data_form(scan: Scan, match: re.Match[str]) -> bool:
    return _is_data_form(_form_block(scan, match))


def _contact_form(scan: Scan, match: re.Match[str]) -> bool:
    """A data form asking who you are, how to reach you and what you want: a lead."""
    block = _form_block(scan, match)
    return (
        _is_data_form(block)
        and _FREE_TEXT.search(block) is not None
        and all(p.search(block) for p in (_PERSON, _REACH, _MESSAGE))
        and not _NOT_A_LEAD.search(block)
    )


def _is_controlled(text: str, start: int) -> bool:
    tag = text[start : start + _TAG_WINDOW]
    close = tag.find("/>")
    tag = (tag if close < 0 else tag[:close]).replace(" ", "")
    return "value=" in tag and "onChange=" in tag


def _controlled_form(scan: Scan, match: re.Match[str]) -> bool:
    """Controlled inputs (value + onChange) whose file sends what they hold, <form> or not."""
    text = scan.text
    if not _is_controlled(text, match.start()) or scan.has(_CHAT_COMPOSER, case=True):
        return False
    if not scan.has(_SUBMISSION, case=True):
        return False
    controlled = sum(1 for m in _INPUT_TAG.finditer(text) if _is_controlled(text, m.start()))
    return controlled >= 2


# --- the rules (case-blind patterns are written in lowercase) ----------------------

_SUPPORT_CONTEXT = _in_file(
    r"priorit|prioridade|assignee|requester|resolved|gel[öo]st|in_?progress|in bearbeitung"
    r"|resolvido"
)
_BOARD_CONTEXT = _in_file(
    r"\.(?:stage|phase|status|column|etapa|spalte)\s*===|kanban|ondrop\b|dndcontext"
)
_DECISIONS = _in_file(r"approve|reject|genehmig|ablehn|freigabe|aprova|rejeita|decision|entscheid")
_CHAT_TURNS = _in_file(r"\brole\s*===|\bsender\s*===|\bisuser\b|\bfrom\s*===\s*[\"'](?:me|user)")

RULES: tuple[CategoryRule, ...] = (
    CategoryRule(
        "forms",
        (
            _strong("data form", r"<form\b", 0.55, _data_form, case=True),
            _strong("react-hook-form", r"\buseForm\s*[<(]", 0.5, case=True),
            _strong(
                "controlled form",
                r"<(?:Input|input|Textarea|textarea)\b",
                0.5,
                _controlled_form,
                case=True,
            ),
            _weak("submit handler", r"\bonsubmit\s*=|\bhandlesubmit\s*\(", 0.2),
            _weak("schema validation", r"\bzodresolver\b|\bz\.object\s*\(", 0.15),
            _weak("submit button", r"type\s*=\s*[\"']submit[\"']", 0.15),
            _weak(
                "signup wording",
                r"\b(?:newsletter|subscribe|contact us|get in touch|sign up|waitlist"
                r"|anmelden|absenden|inscreva|enviar)\b",
                0.1,
            ),
        ),
        min_weak=None,
    ),
    CategoryRule(
        "products",
        (
            _strong(
                "product list",
                r"\b(?:products|produtos|produkte|artikel)\s*\.\s*(?:map|filter|slice|find)\s*\(",
                0.55,
            ),
            _strong(
                "product component",
                r"\b(?:Product|Produto|Produkt)(?:Card|Karte|Grid|List|Tile|Gallery|Item|Page)s?\b",
                0.5,
                case=True,
            ),
            _strong(
                "add to cart",
                r"add\s*to\s*(?:cart|bag|basket)|addtocart\b|in den warenkorb"
                r"|adicionar ao carrinho|adicionar\(\s*produto",
                0.45,
            ),
            _strong("product collection", _stored("products|produtos|produkte"), 0.5),
            _weak(
                "price field",
                r"\b(?:price|preco|preis)\s*:|\b(?:price|preco|preis)\b(?<=\.price|\.preco|\.preis)",
                0.2,
            ),
            _weak(
                "catalog wording",
                r"\b(?:catalog(?:ue)?|in stock|sku|sold out|ausverkauft|esgotado|estoque)\b",
                0.15,
            ),
        ),
    ),
    CategoryRule(
        "events",
        (
            _strong(
                "event list",
                r"\b(?:events|veranstaltungen|eventos|speakers|talks|sessions)\s*\.\s*"
                r"(?:map|filter|slice)\s*\(",
                0.55,
            ),
            _strong(
                "event component",
                r"\b(?:Event|Veranstaltung|Evento|Speaker|Session)"
                r"(?:Card|Karte|List|Liste|Grid|Details?|Schedule|Item)s?\b",
                0.5,
                case=True,
            ),
            _strong("event collection", _stored("events|veranstaltungen|eventos"), 0.5),
            _weak(
                "registration wording",
                r"\brsvp\b|\bregister (?:now|for)\b|\b(?:get|buy) (?:your )?tickets\b"
                r"|\bverbindlich anmelden\b|\binscreva-se\b",
                0.3,
            ),
            _weak("venue or lineup", r"\b(?:venue|line-?up|speakers?|headliners?|keynote)\b", 0.2),
            _weak("schedule wording", r"\b(?:agenda|programm|programação|zeitplan)\b", 0.1),
            _weak(
                "event date",
                r"\b(?:startdate|startsat|start_time|eventdate|enddate)\b",
                0.2,
            ),
        ),
    ),
    CategoryRule(
        "crm",
        (
            _strong(
                "contact list",
                r"\b(?:contacts|customers|clients|leads|deals|kontakte|kunden|clientes|contatos)"
                r"\s*\.\s*(?:map|filter)\s*\(",
                0.55,
            ),
            _strong(
                "contact component",
                r"\b(?:Contact|Customer|Client|Lead|Deal|Kontakt|Kunden|Cliente|Contato)s?"
                r"(?:Card|Karte|List|Liste|Table|Tabelle|Row|Directory)\b",
                0.5,
                case=True,
            ),
            _strong("contact form", r"<form\b", 0.5, _contact_form, case=True),
            _strong(
                "contact collection",
                _stored("contacts|customers|leads|kontakte|kunden|clientes|contatos"),
                0.5,
            ),
            _weak("contact fields", r"\.(?:email|phone|company|telefon|firma)\b", 0.15),
            _weak(
                "CRM wording",
                r"\b(?:crm|address book|contact directory|lifecycle|ansprechpartner"
                r"|lead status)\b",
                0.2,
            ),
            _weak("sales wording", r"\b(?:deals?|opportunit(?:y|ies)|prospects?|vertrieb)\b", 0.15),
        ),
    ),
    CategoryRule(
        "invoices",
        (
            _strong(
                "invoice list",
                r"\b(?:invoices|rechnungen|faturas)\s*\.\s*(?:map|filter|reduce)\s*\(",
                0.55,
            ),
            _strong(
                "invoice component",
                r"\b(?:Invoice|Rechnung|Fatura)(?:Table|Tabelle|List|Liste|Row|Card|Detail|Form)s?\b",
                0.5,
                case=True,
            ),
            _strong("invoice collection", _stored("invoices|rechnungen|faturas"), 0.55),
            _weak(
                "invoice wording", r"\binvoices?\b|\brechnung(?:en|snummer)?\b|\bfaturas?\b", 0.2
            ),
            _weak(
                "amount due",
                r"\bamount\s*due|\bamount_?due\b|\bbalance\s*due|\bdue\s*date|\bdue_?date\b"
                r"|\bfällig(?:_?am)?\b|\bfaellig(?:_?am)?\b|\bvencimento\b",
                0.25,
            ),
            _weak("line items", r"\bline\s*items|\blineitems\b|\bpositionen\b", 0.2),
            _weak(
                "payment status",
                r"\b(?:unpaid|overdue|überfällig|ueberfaellig|gemahnt|vencid[ao])\b",
                0.2,
            ),
        ),
    ),
    CategoryRule(
        "tickets",
        (
            _strong(
                "ticket list",
                r"\b(?:tickets|chamados)\s*\.\s*(?:map|filter)\s*\(",
                0.55,
                _SUPPORT_CONTEXT,
            ),
            _strong(
                "ticket component",
                r"\b(?:SupportTicket|Ticket)(?:Table|List|Row|Form|Detail|Card)\b",
                0.5,
                _SUPPORT_CONTEXT,
                case=True,
            ),
            _strong(
                "ticket collection",
                _stored("tickets|support_tickets|chamados"),
                0.55,
                _SUPPORT_CONTEXT,
            ),
            _weak(
                "support wording",
                r"\bsupport (?:ticket|request)s?\b|\bhelp ?desk\b"
                r"|\b(?:submit|open|new) (?:a )?ticket\b|\bst[öo]rung melden\b|\bchamado\b",
                0.3,
            ),
            _weak("ticket priority", r"\bpriority\b|\bpriorit[äa]t\b|\bprioridade\b", 0.2),
            _weak(
                "ticket status",
                r"[\"'](?:open|in[_ -]progress|resolved|in_bearbeitung|geloest)[\"']",
                0.15,
            ),
        ),
    ),
    CategoryRule(
        "bookings",
        (
            _strong(
                "time slots",
                r"\btime[ _]?slots?\b|\b(?:available|free)_?slots\b|\bzeitfenster\b"
                r"|\bfreie_?zeiten\b|\bhor[áa]rios dispon[íi]veis\b"
                r"|\b(?:slots|times|zeiten|uhrzeiten|horarios)\s*\.\s*map\s*\(",
                0.55,
            ),
            _strong(
                "booking endpoint",
                _api_call(
                    "bookings?|reservations?|appointments?|reservierungen|buchungen|termine"
                    "|agendamentos|reservas"
                ),
                0.45,
            ),
            _strong(
                "booking collection",
                _stored("bookings|reservations|appointments|reservierungen|buchungen|agendamentos"),
                0.5,
            ),
            _weak("calendar picker", r"<calendar\b|react-day-picker|daypicker\b", 0.25),
            _weak(
                "booking wording",
                r"\bbook(?:ing|ings)?\s+(?:now|a|an|your)\b|\bbookings?\b|\breservations?\b"
                r"|\bappointments?\b|\breservier\w*|\bbuchung\w*|\btermin\b|\bagendamento\w*"
                r"|\bagendar\b|\breservas?\b",
                0.25,
            ),
            _weak("selected date or time", r"\bselected(?:date|time|slot)\b|\bsetuhrzeit\b", 0.2),
            _weak("party size", r"\b(?:party size|guests|personen|pessoas)\b", 0.1),
        ),
    ),
    CategoryRule(
        "workflows",
        (
            _strong(
                "board columns",
                r"\b(?:stages|columns|phasen|phases|etapas|spalten|lanes)\s*\.\s*map\s*\(",
                0.55,
                _BOARD_CONTEXT,
            ),
            _strong(
                "drag between columns",
                r"ondrop\s*=|dndcontext\b|@dnd-kit/|react-beautiful-dnd|@hello-pangea/dnd",
                0.5,
                _in_file(
                    r"\b(?:stages?|columns?|phasen?|phases?|etapas?|spalten?|lanes?|kanban)\b"
                ),
            ),
            _strong(
                "approval steps",
                r"\b(?:steps|schritte|stufen|approvers|approvals|etapas)\s*\.\s*"
                r"(?:map|find|every|some)\s*\(",
                0.55,
                _DECISIONS,
            ),
            _strong("approval endpoint", _api_call("approvals|workflows|antraege|freigaben"), 0.45),
            _weak("workflow wording", r"\bworkflows?\b|\bautomations?\b|\bfreigabe\w*", 0.2),
            _weak(
                "approval words",
                r"\b(?:approve|approval|approved|reject(?:ed)?|genehmig\w*)\b",
                0.15,
            ),
            _weak("pipeline or kanban", r"\b(?:kanban|pipeline|stages?)\b", 0.15),
        ),
        min_weak=4,
    ),
    CategoryRule(
        "checkout",
        (
            _strong(
                "payment integration",
                r"loadstripe\b|@stripe/|paymentelement\b|cardelement\b"
                r"|paymentintents\.create\b|checkout\.sessions\.create\b|mercadopago",
                0.55,
            ),
            _strong(
                "PIX payment",
                r"copia\s+e\s+cola\b|br\.gov\.bcb\.pix|pagar com pix\b|chave pix\b",
                0.55,
            ),
            _strong(
                "cart state",
                r"\b(?:useCart|CartProvider|cartItems|useCarrinho|CarrinhoProvider|useWarenkorb)\b",
                0.5,
                case=True,
            ),
            _strong(
                "card form",
                r"\bcard ?number\b|\bcvc\b|\bcvv\b|\bkartennummer\b"
                r"|\bnúmero do cartão|\bnumero do cartao",
                0.55,
            ),
            _weak(
                "checkout wording",
                r"\bcheck ?out\b|\bkasse\b|\bfinalizar compra\b|\bwarenkorb\b|\bcarrinho\b",
                0.25,
            ),
            _weak(
                "order totals",
                r"\b(?:subtotal|order total|grand total|zwischensumme|gesamtsumme)\b",
                0.2,
            ),
            _weak(
                "place order",
                r"\bplace (?:your )?order|\bpay now\b|\bcomplete (?:purchase|order)"
                r"|\bproceed to (?:checkout|payment)|\bzahlungspflichtig bestellen|\bpagamento\b",
                0.25,
            ),
        ),
    ),
    CategoryRule(
        "conversations",
        (
            _strong("AI SDK chat", r"usechat\s*\(|ai/react[\"']|@ai-sdk/react", 0.55),
            _strong("chat thread", r"\bmessages\s*\.\s*map\s*\(", 0.5, _CHAT_TURNS),
            _weak(
                "chat roles",
                r"\brole\s*(?:===?|:)\s*[\"'](?:user|assistant|agent|bot)[\"']",
                0.25,
            ),
            _weak(
                "chat component",
                r"\b(?:chat|message|conversation)(?:window|widget|panel|bubble|list|input|box|thread)\b",
                0.25,
            ),
            _weak(
                "message input",
                r"\btype (?:a|your) message|\bsendmessage\b|\bwrite a message"
                r"|\bask (?:me )?anything|\bdigite sua mensagem|\bnachricht schreiben",
                0.2,
            ),
            _weak("chat wording", r"\b(?:live chat|chatbot|conversation)\b", 0.1),
            _weak("message list", r"\bmessages\s*\.\s*map\s*\(", 0.2),
        ),
    ),
)

# Every API category has exactly one rule.
assert sorted(rule.category for rule in RULES) == sorted(CATEGORY_IDS)


def is_analyzed(path: str) -> bool:
    if not path.endswith(SOURCE_SUFFIXES) or path in EXCLUDED_FILES:
        return False
    if path.startswith(EXCLUDED_PREFIXES):
        return False
    leaf = path.rsplit("/", 1)[-1]
    return ".config." not in leaf and not leaf.endswith(".d.ts")


def analyze(texts: Mapping[str, str]) -> tuple[Detection, ...]:
    """Detect the ontology types in a project's text files, most confident first."""
    scans = [
        Scan.of(Source(path, text)) for path, text in sorted(texts.items()) if is_analyzed(path)
    ]
    # All of the project's text in one piece, to rule signals out at a glance.
    everything = ("\n".join(s.text for s in scans), "\n".join(s.lower for s in scans))
    detections = []
    for rule in RULES:
        detection = _detect(rule, scans, everything)
        if detection is not None:
            detections.append(detection)
    detections.sort(key=lambda d: (-d.confidence, CATEGORY_IDS.index(d.category)))
    logger.info(
        "analyzed %d files: %s",
        len(scans),
        ", ".join(f"{d.category} {d.confidence:.2f}" for d in detections) or "nothing",
    )
    return tuple(detections)


def default_needs(detections: tuple[Detection, ...]) -> tuple[DataNeed, ...]:
    """Unconfirmed decisions: Create for confident detections, Skip for the rest."""
    return tuple(
        DataNeed(d, Decision.CREATE if d.confidence >= CREATE_THRESHOLD else Decision.SKIP)
        for d in detections
    )


def merge_needs(
    detections: tuple[Detection, ...], previous: tuple[DataNeed, ...]
) -> tuple[DataNeed, ...]:
    """New detections, keeping the user's confirmed decisions for categories seen before."""
    before = {need.category: need for need in previous if need.confirmed}
    merged = []
    for need in default_needs(detections):
        old = before.get(need.category)
        if old is not None:
            merged.append(DataNeed(need.detection, old.decision, old.link_id, confirmed=True))
        else:
            merged.append(need)
    return tuple(merged)


def _detect(rule: CategoryRule, scans: list[Scan], everything: tuple[str, str]) -> Detection | None:
    hits: dict[str, list[Evidence]] = {}
    for signal in rule.signals:
        # One look at the whole project spares most signals a pass over every file.
        if not signal.possible(*everything):
            continue
        evidence: list[Evidence] = []
        for scan in scans:
            source = scan.source
            for match in signal.matches(scan):
                line = source.line_of(match.start())
                if any(e.path == source.path and e.line == line for e in evidence):
                    continue
                excerpt = source.lines[line - 1].strip()[:160]
                evidence.append(Evidence(source.path, line, signal.name, excerpt))
                if len(evidence) >= EVIDENCE_PER_SIGNAL:
                    break
            if len(evidence) >= EVIDENCE_PER_SIGNAL:
                break
        if evidence:
            hits[signal.name] = evidence
    fired = [signal for signal in rule.signals if signal.name in hits]
    strong = any(signal.strong for signal in fired)
    if not strong and (rule.min_weak is None or len(fired) < rule.min_weak):
        return None
    miss = 1.0
    for signal in fired:
        miss *= 1.0 - signal.weight
    confidence = round(1.0 - miss, 3) if strong else min(round(1.0 - miss, 3), WEAK_ONLY_CEILING)
    if confidence < REPORT_THRESHOLD:
        return None
    ranked = sorted(fired, key=lambda signal: (not signal.strong, -signal.weight))
    collected = tuple(e for signal in ranked for e in hits[signal.name])
    return Detection(rule.category, confidence, tuple(s.name for s in ranked), collected)
