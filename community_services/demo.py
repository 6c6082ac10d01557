"""About forty invented community services across every need domain and vetting state."""

import datetime
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User

from . import services
from .geography import read_onspd
from .models import Capacity, Provider, Service, VettingReview

POSTCODE_FILE = Path(__file__).with_name("data") / "onspd_invented.csv"
_NAMESPACE = uuid.UUID("0b8f3c52-5f7e-4d0a-8a53-2f1d6f3b7e10")

# name, description, charity number, organisation name (a demo provider organisation) or ""
# fmt: off
PROVIDERS = [
    ("Friendship Circle Trust", "Befriending and social groups for older and isolated people.",
     "1190001", "Friendship Circle Trust"),
    ("Money Matters Advice Centre", "Free, confidential money, debt and benefits advice.",
     "1190002", "Money Matters Advice Centre"),
    ("Green Spaces Volunteers", "Conservation, gardening and walking in local green spaces.",
     "1190003", "Green Spaces Volunteers"),
    ("Northfield Community Learning", "Adult learning, digital skills and employment support.",
     "1190004", ""),
    ("Harbour Arts Collective", "Creative arts, music and heritage activities for all ages.",
     "1190005", ""),
    ("Carers Together Northfield", "Support, breaks and advice for unpaid carers.",
     "1190006", ""),
# fmt: on
]

# name, provider index, need domains, delivery modes, capacity, state, description
# fmt: off
SERVICES = [
    ("Tuesday Lunch Club", 0, ["loneliness", "healthy_eating"], ["in_person"], "accepting", "approved", "A hot two-course lunch and good company every Tuesday."),
    ("Telephone Befriending", 0, ["loneliness", "mental_wellbeing"], ["phone"], "waiting_list", "approved", "A weekly friendly call from a trained volunteer."),
    ("Memory Café", 0, ["long_term_conditions", "carers_support"], ["in_person"], "accepting", "expiring", "A relaxed café for people living with dementia and their carers."),
    ("Home Visiting Befrienders", 0, ["loneliness"], ["home_visit"], "accepting", "submitted", "Volunteers visit people who cannot easily leave home."),
    ("Chatty Bench Walks", 0, ["loneliness", "physical_activity"], ["in_person"], "accepting", "draft", "Short sociable walks starting from the park bench."),
    ("Debt Advice Drop-in", 1, ["money_and_debt"], ["in_person"], "accepting", "approved", "Walk-in sessions with a qualified debt adviser."),
    ("Benefits Check Line", 1, ["benefits", "money_and_debt"], ["phone", "online"], "waiting_list", "approved", "A full benefits check by phone or video call."),
    ("Energy Bills Helpdesk", 1, ["money_and_debt", "housing"], ["phone"], "accepting", "expiring", "Help with energy debts, grants and switching."),
    ("Housing Rights Clinic", 1, ["housing"], ["in_person", "phone"], "accepting", "approved", "Advice on tenancy problems, repairs and homelessness prevention."),
    ("Budgeting Workshops", 1, ["money_and_debt", "learning"], ["online"], "paused", "approved", "Four online sessions on managing a household budget."),
    ("Universal Credit Support", 1, ["benefits"], ["in_person"], "accepting", "rejected", "Help to apply for and manage Universal Credit."),
    ("Green Gym", 2, ["physical_activity", "nature"], ["in_person"], "accepting", "approved", "Outdoor conservation tasks that double as exercise."),
    ("Community Allotment", 2, ["nature", "healthy_eating"], ["in_person"], "waiting_list", "approved", "Grow fruit and vegetables together on a shared plot."),
    ("Health Walks", 2, ["physical_activity", "loneliness"], ["in_person"], "accepting", "approved", "Led walks of 30 to 60 minutes for all abilities."),
    ("Woodland Volunteers", 2, ["volunteering", "nature"], ["in_person"], "accepting", "suspended", "Help to care for the town's woodlands."),
    ("Park Tai Chi", 2, ["physical_activity", "mental_wellbeing"], ["in_person"], "accepting", "expired", "Gentle tai chi in the park on weekday mornings."),
    ("Wildlife Recording Group", 2, ["nature", "volunteering", "learning"], ["in_person", "online"], "accepting", "submitted", "Learn to record local birds, bees and butterflies."),
    ("Digital Skills Café", 3, ["digital_inclusion", "learning"], ["in_person"], "accepting", "approved", "Bring your phone or tablet and get help using it."),
    ("Job Club", 3, ["employment_and_skills"], ["in_person", "online"], "accepting", "approved", "CVs, applications and interview practice."),
    ("English Conversation Group", 3, ["learning", "loneliness"], ["in_person"], "accepting", "approved", "Practise spoken English in a friendly group."),
    ("Tablet Lending Scheme", 3, ["digital_inclusion"], ["home_visit"], "waiting_list", "expiring", "Borrow a tablet with data and get set up at home."),
    ("Cookery on a Budget", 3, ["healthy_eating", "learning"], ["in_person"], "accepting", "approved", "Six-week course cooking healthy meals for less."),
    ("Volunteer Passport", 3, ["volunteering", "employment_and_skills"], ["online"], "accepting", "draft", "Find and start a volunteering role that fits you."),
    ("Return to Work Coaching", 3, ["employment_and_skills", "mental_wellbeing"], ["phone", "online"], "accepting", "submitted", "One-to-one coaching for people returning after illness."),
    ("Community Choir", 4, ["arts_and_culture", "mental_wellbeing"], ["in_person"], "accepting", "approved", "No auditions, no reading music: just singing together."),
    ("Arts on Prescription", 4, ["arts_and_culture", "mental_wellbeing"], ["in_person"], "waiting_list", "approved", "A ten-week creative course for people with low mood."),
    ("Museum Memories", 4, ["arts_and_culture", "loneliness"], ["in_person"], "accepting", "approved", "Reminiscence sessions using objects from the museum."),
    ("Creative Writing Online", 4, ["arts_and_culture", "learning"], ["online"], "accepting", "expired", "Weekly online writing group with prompts and feedback."),
    ("Men's Shed", 4, ["loneliness", "mental_wellbeing"], ["in_person"], "accepting", "approved", "Woodwork, repairs and conversation in a shared workshop."),
    ("Dance for Health", 4, ["physical_activity", "arts_and_culture"], ["in_person"], "accepting", "rejected", "Seated and standing dance classes for older adults."),
    ("Carers' Coffee Morning", 5, ["carers_support", "loneliness"], ["in_person"], "accepting", "approved", "Monthly coffee, peer support and information for carers."),
    ("Carers' Advice Line", 5, ["carers_support", "benefits"], ["phone"], "accepting", "approved", "Advice on carers' assessments, allowances and breaks."),
    ("Bereavement Support Group", 5, ["bereavement", "mental_wellbeing"], ["in_person"], "waiting_list", "approved", "A fortnightly group for people who have lost someone close."),
    ("Bereavement Telephone Support", 5, ["bereavement"], ["phone"], "accepting", "expiring", "Six calls with a trained bereavement volunteer."),
    ("Young Carers Club", 5, ["carers_support"], ["in_person"], "accepting", "suspended", "Activities and a break for carers aged 16 to 25."),
    ("Long Covid Peer Group", 5, ["long_term_conditions", "mental_wellbeing"], ["online"], "accepting", "approved", "Online peer support for people living with long Covid."),
    ("Diabetes Self-Management Course", 3, ["long_term_conditions", "healthy_eating"], ["in_person", "online"], "accepting", "approved", "Understand and manage type 2 diabetes day to day."),
    ("Breathe Easy Group", 0, ["long_term_conditions", "physical_activity"], ["in_person"], "accepting", "approved", "Support and gentle exercise for people with lung conditions."),
    ("Mindfulness for Beginners", 4, ["mental_wellbeing"], ["online"], "accepting", "submitted", "An eight-week introduction to mindfulness."),
    ("Tenancy Sustainment Service", 1, ["housing", "money_and_debt"], ["home_visit"], "accepting", "approved", "Visits to help people keep their tenancy."),
# fmt: on
]

_OPENING = {0: (10, 12), 1: (14, 16), 2: (10, 15), 3: (18, 20), 4: (9, 11)}


def _uuid(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{name}")


@transaction.atomic
def seed(log) -> None:
    _load_postcodes(log)
    if Service.objects.filter(public_id=_uuid("service", SERVICES[0][0])).exists():
        log("directory already seeded")
        return
    vetter = User.objects.get(email="vetter@demo.example")
    approver = User.objects.get(email="admin@demo.example")
    providers = [_provider(vetter, *row) for row in PROVIDERS]
    today = timezone.localdate()
    for number, (name, provider_index, domains, modes, capacity, state, description) in enumerate(
        SERVICES
    ):
        service = services.create_service(
            by=vetter,
            provider=providers[provider_index],
            public_id=_uuid("service", name),
            fields={
                "name": name,
                "description": description,
                "minimum_age": 16 if "carers_support" in domains else 18,
                "eligibility_criteria": "Adults living in Northfield or registered with a "
                "Northfield practice.",
                "is_free": number % 5 != 2,
                "fees_description": "" if number % 5 != 2 else "£3 a session; ask about help.",
                "how_to_access": "Referral from a link worker, or call to book.",
                "languages": "English" if number % 3 else "English, Polish, Urdu",
                "contact_name": "Duty coordinator",
                "email": f"hello{number}@services.example.org",
                "phone": f"01632 96{number:04d}",
                "capacity": capacity,
                "expected_wait_weeks": 2 + number % 5
                if capacity == Capacity.WAITING_LIST
                else None,
            },
            need_domains=domains,
            delivery_modes=modes,
            locations=_locations(name, number, modes),
            schedules=_schedules(name, number, modes),
        )
        _move_to(service, state, vetter=vetter, approver=approver, today=today, number=number)
    log(f"{len(providers)} providers, {len(SERVICES)} services in every vetting state")


def _provider(vetter, name, description, charity_number, organisation_name) -> Provider:
    organisation = (
        Organisation.objects.filter(
            name=organisation_name, kind=OrganisationKind.SERVICE_PROVIDER
        ).first()
        if organisation_name
        else None
    )
    existing = Provider.objects.filter(public_id=_uuid("provider", name)).first()
    if existing:
        return existing
    return services.create_provider(
        by=vetter,
        public_id=_uuid("provider", name),
        name=name,
        description=description,
        charity_number=charity_number,
        website="https://" + name.lower().replace(" ", "-").replace("'", "") + ".example.org/",
        email="info@" + name.lower().split()[0] + ".example.org",
        phone="01632 960999",
        organisation=organisation,
    )


def _locations(name: str, number: int, modes: list[str]) -> list[dict]:
    if "in_person" not in modes:
        return []
    opens, closes = _OPENING[number % 5]
    return [
        {
            "name": f"{name.split()[0]} Community Centre",
            "address_1": f"{number + 1} Market Street",
            "city": "Northfield",
            "county": "Westshire",
            "postcode": f"NF{number % 9 + 1} {number % 9 + 1}AB",
            "latitude": round(52.40 + number / 1000, 6),
            "longitude": round(-1.90 - number / 1000, 6),
            "opening_times": [
                {
                    "weekday": number % 5,
                    "opens_at": datetime.time(opens),
                    "closes_at": datetime.time(closes),
                }
            ],
        }
    ]


def _schedules(name: str, number: int, modes: list[str]) -> list[dict]:
    """Session times for group services: weekly, fortnightly or monthly in turn."""
    if "in_person" not in modes and "online" not in modes:
        return []
    opens, closes = _OPENING[number % 5]
    day = ("MO", "TU", "WE", "TH", "FR")[number % 5]
    freq, interval, byday = [
        ("WEEKLY", 1, day),
        ("WEEKLY", 2, day),
        ("MONTHLY", 1, f"1{day}"),
    ][number % 3]
    return [
        {
            "freq": freq,
            "interval": interval,
            "byday": byday,
            "opens_at": datetime.time(opens),
            "closes_at": datetime.time(closes),
            "description": "Term time only" if "Course" in name or "Workshop" in name else "",
        }
    ]


def _load_postcodes(log) -> None:
    """The invented postcodes the demo locations use, so search by postcode works."""
    with POSTCODE_FILE.open(encoding="utf-8", newline="") as lines:
        points = [point for point in read_onspd(lines) if point is not None]
    log(f"{services.store_postcodes(points=points)} invented postcodes for the postcode lookup")


def _move_to(service, state, *, vetter, approver, today, number) -> None:
    if state == "draft":
        return
    service = services.submit_service(by=vetter, service=service)
    if state == "submitted":
        return
    if state == "rejected":
        services.reject_service(
            by=approver, service=service, reason="No safeguarding policy for adults at risk."
        )
        return
    vetted_until = today + datetime.timedelta(days=10 + number if state == "expiring" else 300)
    service = services.approve_service(
        by=approver,
        service=service,
        checklist={name: True for name in VettingReview.CHECKLIST},
        insurance_expires_on=today + datetime.timedelta(days=400),
        notes="Documents seen (demo data).",
        vetted_until=vetted_until,
    )
    if state == "suspended":
        services.suspend_service(
            by=vetter, service=service, reason="A complaint is being looked into."
        )
    elif state == "expired":
        Service.objects.filter(pk=service.pk).update(vetted_until=today - datetime.timedelta(5))
        services.expire_service(service=service)
