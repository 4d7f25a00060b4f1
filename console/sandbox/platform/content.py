"""Demo content: the agency's clients, their agents, and what customers say.

Everything here is fictional. Phone numbers use reserved drama ranges
(UK 07700 900xxx, DE +49 151 ...), e-mail addresses use `.example`.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from console.sandbox.platform.models import Channel

logger = logging.getLogger(__name__)

AGENCY_NAME = "Northwind Digital"
AGENCY_SLUG = "northwind-digital"
STAFF_SAM = "Sam Operator"
STAFF_ALEX = "Alex Colleague"

MODELS = (
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-haiku-4.5",
    "openai/gpt-4o-mini",
    "google/gemini-2.5-flash",
)


@dataclass(frozen=True)
class Topic:
    """A customer question, the agent's answer, and the tools the answer uses."""

    question: str
    answer: str
    tools: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentSpec:
    name: str
    channels: tuple[Channel, ...]


@dataclass(frozen=True)
class Business:
    kind: str
    name: str
    slug: str
    color: str
    phone_prefix: str
    agents: tuple[AgentSpec, ...]
    topics: tuple[Topic, ...]
    apps: tuple[str, ...]
    order_word: str = "order"


GENERIC_TOPICS: tuple[Topic, ...] = (
    Topic(
        "What are your opening hours?",
        "We're open Monday to Friday 9:00-18:00 and Saturday 10:00-14:00. "
        "Is there anything I can book or check for you?",
        ("search_knowledge_base",),
    ),
    Topic(
        "Where exactly are you located? Is there parking?",
        "You'll find us at the address on our website; there's street parking "
        "right outside and a public car park two minutes away.",
        ("search_knowledge_base",),
    ),
    Topic(
        "Do you take card payments?",
        "Yes, we take all major cards, Apple Pay and Google Pay. We can also send "
        "you a payment link if that's easier.",
    ),
)

BUSINESSES: tuple[Business, ...] = (
    Business(
        kind="bakery",
        name="Crumb & Co. Bakery",
        slug="crumb-and-co",
        color="#c2410c",
        phone_prefix="+44 7700 900",
        agents=(
            AgentSpec("Crumb Assistant", ("whatsapp", "webchat")),
            AgentSpec("Order Desk", ("sms",)),
        ),
        topics=(
            Topic(
                "Hi! Can I order a birthday cake for Saturday?",
                "Happy to help! For Saturday we still have slots for our sponge and "
                "chocolate fudge cakes. How many people should it serve, and what "
                "should we write on it?",
                ("check_availability",),
            ),
            Topic(
                "How much is the 8-inch chocolate fudge cake?",
                "The 8-inch chocolate fudge cake is £32 and serves 10-12. Personalised "
                "lettering is free.",
                ("get_price_list",),
            ),
            Topic(
                "Do you have any gluten-free bread today?",
                "Yes - we baked gluten-free seeded loaves this morning (£5.20). I can "
                "hold one for you until 5pm if you like.",
                ("check_stock",),
            ),
            Topic(
                "Is my order for 2 dozen croissants ready?",
                "Let me check... your order of 24 butter croissants is packed and ready "
                "for collection from 8am tomorrow.",
                ("lookup_order",),
            ),
            Topic(
                "Can you deliver to an office in the city centre?",
                "We deliver within 5 miles on weekdays before 11am; delivery is £6, free "
                "for orders over £60.",
            ),
        ),
        apps=("Online Shop", "Custom Cake Orders", "Wholesale Portal", "Loyalty Card"),
    ),
    Business(
        kind="dental",
        name="Brightsmile Dental Clinic",
        slug="brightsmile-dental",
        color="#0ea5e9",
        phone_prefix="+44 7700 900",
        agents=(AgentSpec("Brightsmile Reception", ("whatsapp", "sms", "webchat")),),
        topics=(
            Topic(
                "I'd like to book a check-up next week",
                "Of course. Dr. Patel has openings on Tuesday at 10:30 and Thursday at "
                "15:00. Which one suits you?",
                ("check_availability",),
            ),
            Topic(
                "Thursday 15:00 please",
                "Done - you're booked for a check-up on Thursday at 15:00 with Dr. "
                "Patel. You'll get a reminder the day before.",
                ("create_booking", "send_confirmation"),
            ),
            Topic(
                "How much is teeth whitening?",
                "In-clinic whitening is £395, the take-home kit is £250. Both need a "
                "check-up first so the dentist can confirm it's suitable.",
                ("get_price_list",),
            ),
            Topic(
                "I have a really bad toothache, can someone see me today?",
                "I'm sorry to hear that. We keep emergency slots every day - the next "
                "one is today at 16:45. Shall I book it?",
                ("check_availability",),
            ),
            Topic(
                "Do you accept Denplan?",
                "Yes, we're a Denplan practice. Bring your membership number to your appointment.",
                ("search_knowledge_base",),
            ),
        ),
        apps=("Patient Portal", "Appointment Booking", "Treatment Price List"),
    ),
    Business(
        kind="yoga",
        name="Lotus Flow Yoga Studio",
        slug="lotus-flow-yoga",
        color="#7c3aed",
        phone_prefix="+44 7700 900",
        agents=(AgentSpec("Lotus Concierge", ("whatsapp", "webchat")),),
        topics=(
            Topic(
                "Are there spaces left in the 7am vinyasa class tomorrow?",
                "Yes, 4 mats are still free in tomorrow's 7:00 vinyasa with Mia. Want "
                "me to reserve one?",
                ("check_availability",),
            ),
            Topic(
                "Yes please, reserve one for me",
                "Your mat is reserved. Please arrive 10 minutes early - mats and "
                "blocks are provided.",
                ("create_booking",),
            ),
            Topic(
                "How much is a monthly unlimited pass?",
                "Unlimited is £89/month, or £75/month on a 6-month plan. Your first class is free.",
                ("get_price_list",),
            ),
            Topic(
                "I'm pregnant, is hot yoga ok?",
                "We recommend our prenatal class (Wednesdays 18:30) instead of hot "
                "yoga. Please check with your midwife too.",
                ("search_knowledge_base",),
            ),
            Topic(
                "Can I freeze my membership for a month?",
                "Yes, you can freeze once per year for up to 4 weeks free of charge. I "
                "can set that up from next Monday.",
                ("lookup_membership",),
            ),
        ),
        apps=("Class Timetable", "Member Portal", "Retreat Booking"),
    ),
    Business(
        kind="law",
        name="Hartley & Price Solicitors",
        slug="hartley-price-law",
        color="#1e3a8a",
        phone_prefix="+44 7700 900",
        agents=(
            AgentSpec("Hartley Intake", ("webchat",)),
            AgentSpec("After-hours Line", ("sms", "whatsapp")),
        ),
        topics=(
            Topic(
                "I need help with a tenancy dispute, do you handle that?",
                "Yes, our property team handles landlord and tenant disputes. I can "
                "book a free 20-minute initial call with one of our solicitors.",
                ("search_knowledge_base",),
            ),
            Topic(
                "How much does a will cost?",
                "A single will is £250 + VAT and mirror wills for couples are £400 + "
                "VAT, fixed fee.",
                ("get_price_list",),
            ),
            Topic(
                "Can I have a call with someone on Monday?",
                "Monday has free slots at 11:00 and 14:30 with Ms. Hartley. Which would "
                "you prefer?",
                ("check_availability",),
            ),
            Topic(
                "What documents should I bring to the first meeting?",
                "Please bring photo ID, proof of address and any letters or contracts "
                "related to your matter.",
                ("search_knowledge_base",),
            ),
        ),
        apps=("Client Intake Forms", "Case Portal", "Fee Calculator"),
        order_word="matter",
    ),
    Business(
        kind="plumber",
        name="Schmidt Sanitär",
        slug="schmidt-sanitaer",
        color="#0f766e",
        phone_prefix="+49 151 2345",
        agents=(AgentSpec("Schmidt Notdienst", ("whatsapp", "sms")),),
        topics=(
            Topic(
                "Hallo, my boiler stopped working, can someone come today?",
                "Sorry to hear that! Our emergency technician can be with you between "
                "14:00 and 16:00 today. What is your address?",
                ("check_availability",),
            ),
            Topic(
                "What does a call-out cost?",
                "The call-out fee is €69 including the first 30 minutes; each further "
                "15 minutes is €18.",
                ("get_price_list",),
            ),
            Topic(
                "The kitchen sink is blocked and water is coming back up",
                "Please stop using the sink for now. I've booked Jonas for tomorrow "
                "8:00-10:00; he'll call 30 minutes before arriving.",
                ("create_booking", "send_confirmation"),
            ),
            Topic(
                "Do you install new bathrooms too?",
                "Yes, complete bathroom renovations. We start with a free on-site "
                "quote - shall I arrange one?",
            ),
        ),
        apps=("Customer Portal", "Emergency Booking", "Quote Requests"),
        order_word="job",
    ),
    Business(
        kind="florist",
        name="Green Leaf Florist",
        slug="green-leaf-florist",
        color="#15803d",
        phone_prefix="+44 7700 900",
        agents=(AgentSpec("Petal", ("whatsapp", "webchat")),),
        topics=(
            Topic(
                "Can you deliver a bouquet tomorrow for an anniversary?",
                "Absolutely! Our seasonal anniversary bouquet is £45 with free "
                "delivery tomorrow before 1pm. Would you like to add a card message?",
                ("check_availability", "get_price_list"),
            ),
            Topic(
                "Where is my order? It should have arrived by now",
                "Let me check... your bouquet left the shop at 10:20 and the driver is "
                "about 15 minutes away.",
                ("lookup_order",),
            ),
            Topic(
                "Do you do wedding flowers?",
                "We do! We offer free consultations for weddings - the calendar for "
                "next spring is filling up quickly.",
            ),
        ),
        apps=("Flower Shop", "Wedding Enquiries"),
    ),
    Business(
        kind="physio",
        name="Peak Motion Physio",
        slug="peak-motion-physio",
        color="#dc2626",
        phone_prefix="+44 7700 900",
        agents=(
            AgentSpec("Peak Booking Bot", ("webchat", "sms")),
            AgentSpec("Peak Follow-up", ("whatsapp",)),
        ),
        topics=(
            Topic(
                "I hurt my knee running, can I get an assessment?",
                "Sorry about the knee! Our next initial assessment (60 min, £70) is "
                "Wednesday at 9:15 with Tom. Shall I book it?",
                ("check_availability",),
            ),
            Topic(
                "Is physio covered by my Bupa insurance?",
                "We're registered with Bupa, AXA and Vitality. Please bring your "
                "authorisation code to the first session.",
                ("search_knowledge_base",),
            ),
            Topic(
                "I need to move my appointment on Friday",
                "No problem - I can move you from Friday 12:00 to Monday 12:00 or Tuesday 17:30.",
                ("lookup_booking", "check_availability"),
            ),
            Topic(
                "Monday works",
                "Done, you're now booked for Monday at 12:00. See you then!",
                ("update_booking",),
            ),
        ),
        apps=("Booking Site", "Exercise Library", "Patient Forms"),
        order_word="booking",
    ),
    Business(
        kind="salon",
        name="Salon Bella Hair Studio",
        slug="salon-bella",
        color="#db2777",
        phone_prefix="+44 7700 900",
        agents=(AgentSpec("Bella", ("whatsapp", "webchat", "sms")),),
        topics=(
            Topic(
                "Can I get a cut and colour on Saturday?",
                "Saturday is busy but Chloe has a 3-hour slot at 11:00. A cut and full "
                "colour starts at £110.",
                ("check_availability", "get_price_list"),
            ),
            Topic(
                "Do I need a patch test?",
                "Yes - for any colour service we need a patch test at least 48 hours "
                "before. You can pop in any day, it takes 5 minutes.",
                ("search_knowledge_base",),
            ),
            Topic(
                "How much is a balayage?",
                "Balayage starts at £145 depending on length. It includes toner and a blow-dry.",
                ("get_price_list",),
            ),
        ),
        apps=("Salon Booking", "Gift Vouchers", "Product Shop"),
    ),
)

GENERIC_BUSINESS = Business(
    kind="generic",
    name="Client",
    slug="client",
    color="#475569",
    phone_prefix="+44 7700 900",
    agents=(AgentSpec("Assistant", ("webchat", "whatsapp")),),
    topics=GENERIC_TOPICS,
    apps=("Website",),
)

AGENCY_APPS = ("Northwind Agency Site", "Client Onboarding Portal", "Internal Dashboard")

FIRST_NAMES = (
    "Olivia",
    "Noah",
    "Amelia",
    "Leo",
    "Isla",
    "Oliver",
    "Ava",
    "Arthur",
    "Mia",
    "Muhammad",
    "Freya",
    "Harry",
    "Lily",
    "Jack",
    "Sophia",
    "George",
    "Grace",
    "Theo",
    "Emily",
    "Oscar",
    "Chloe",
    "Jacob",
    "Ella",
    "Finn",
    "Zara",
    "Lukas",
    "Hannah",
    "Priya",
    "Mateo",
    "Aisha",
    "Ben",
    "Sofia",
    "Daniel",
    "Nora",
    "Tomasz",
    "Leonie",
    "Ravi",
    "Maya",
    "Sam",
    "Eva",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Walker",
    "Khan",
    "Thompson",
    "Evans",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Müller",
    "Schneider",
    "Fischer",
    "Weber",
    "Nowak",
    "Okafor",
    "Rossi",
    "Silva",
    "Kaur",
    "Murphy",
    "O'Brien",
    "Clarke",
)

GREETINGS = (
    "Hi there!",
    "Hello",
    "Hi, quick question",
    "Good morning!",
    "Hey :)",
    "Hello, hope you can help",
)
AGENT_GREETINGS = (
    "Hi {customer}! Thanks for messaging {business}. How can I help today?",
    "Hello {customer}, you're chatting with {agent} from {business}. What can I do for you?",
    "Hi {customer} - happy to help. What do you need?",
)
THANKS = (
    "Perfect, thank you!",
    "Great, thanks a lot",
    "Brilliant, cheers",
    "Ok thanks",
    "Thank you so much!",
    "Lovely, see you then",
)
AGENT_WELCOME = (
    "You're welcome, {customer}! Anything else I can help with?",
    "My pleasure. Have a lovely day!",
    "Glad I could help - just message here if anything changes.",
)
HANDOFF_ASKS = (
    "Can I speak to a real person please?",
    "I'd rather talk to someone from the team",
    "This is urgent, can a human call me back?",
    "I have a complaint about my last {order_word}",
)
AGENT_HANDOFF = (
    "Of course - I've asked a colleague from {business} to join this chat. "
    "They'll reply here shortly.",
    "I understand. I'm handing you over to a member of the {business} team now.",
)
HUMAN_REPLIES = (
    "Hi {customer}, this is {staff} from the {business} team. I'm looking into this now.",
    "Thanks for your patience, {customer}. I've sorted that out for you.",
    "I've just spoken to the team - we can do that for you. I'll send the details shortly.",
    "Sorry about the trouble, {customer}. I've added a note to your {order_word}.",
)
CUSTOMER_FOLLOWUPS = (
    "Ok, and how long will it take?",
    "Can you send me the details by email as well?",
    "Thanks, I'll wait",
    "Sounds good",
)
AGENT_FALLBACK = (
    "Thanks {customer}! Let me check that for you... I've noted it and someone "
    "will confirm the details shortly.",
    "Good question. Based on what we have on file, yes - we can help with that. Anything else?",
    "I've looked that up for you: it's all in order. Let me know if you need anything else.",
)
UNAVAILABLE = (
    "I'm unavailable right now. A member of the {business} team will get back to you as soon "
    "as possible."
)
TEMPLATES = (
    (
        "appointment_reminder",
        "utility",
        "Hi {{1}}, this is a reminder of your appointment at {business} on {{2}}. "
        "Reply YES to confirm or call us to rearrange.",
        2,
    ),
    (
        "follow_up",
        "utility",
        "Hi {{1}}, thanks for getting in touch with {business}. Is there anything "
        "else we can help you with?",
        1,
    ),
    (
        "order_update",
        "utility",
        "Hi {{1}}, an update on your {order_word} {{2}} from {business}: {{3}}",
        3,
    ),
)


def business_for(kind: str) -> Business:
    for business in BUSINESSES:
        if business.kind == kind:
            return business
    return GENERIC_BUSINESS


def customer_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def customer_handle(rng: random.Random, business: Business, channel: str) -> str:
    if channel == "webchat":
        return f"visitor-{rng.getrandbits(24):06x}"
    return f"{business.phone_prefix}{rng.randrange(1000):03d}"


def fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def answer_for(business: Business, text: str, rng: random.Random) -> Topic | None:
    """The topic whose question best matches `text` (word overlap), if any."""
    words = {w.strip("?!.,:;").lower() for w in text.split() if len(w) > 3}
    best: Topic | None = None
    best_score = 0
    for topic in business.topics + GENERIC_TOPICS:
        score = len(words & {w.strip("?!.,:;").lower() for w in topic.question.split()})
        if score > best_score or (score == best_score and score > 0 and rng.random() < 0.3):
            best, best_score = topic, score
    return best if best_score >= 2 else None
