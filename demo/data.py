"""Demo data: two fictional services with staff, parents, children, cases and contacts.

Used by ``manage.py load_demo_data`` (and so by ``bin/demo``), by tests and by benchmarks. Every
person is invented: names come from Faker (en_GB, seeded, so a run is reproducible), phone numbers
from Ofcom's ranges reserved for drama (07700 900xxx, 01632 960xxx), email addresses end in
example.org or example.com, and postcodes have a real outward code with a random inward code.
Staff passwords are the one thing that is not reproducible: they are random for every install.

The records are written in bulk (``bulk_create``), so that tens of thousands of parents load in a
few minutes, but they are exactly what the service functions would have stored: a parent exists
only with a consent to keep details (told the service's "why we keep information" statement), has
search tokens from ``cases.search.stored_tokens``, and every case has an OPENED event by the person
who opened it, who is assigned to it with the ``view_case`` and ``change_case`` object permissions
as ``cases.access.assign_to_case`` would give.

Loading is not audited, by design: it is generated data, and the audit trail is for what people
do with real records. That includes the few child-protection concerns of each service, so that its
designated lead has a queue: they are stored as ``safeguarding.services`` would have stored them
(with their discussions, referrals, child-protection disclosures and the leads' alerts), not
through those functions, which record the reads they make: audit entries by demo staff would stop
``--reset`` from deleting them on PostgreSQL, where the audit log is append-only.
"""

import math
import os
import random
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from auditlog.context import disable_auditlog
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cases.access import CASE_PERMISSIONS
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    Child,
    Contact,
    ContactChild,
    Outcome,
    Parent,
    ParentSearchToken,
    Topic,
)
from cases.search import fold, stored_tokens
from cases.services import seed_reference_data
from consent.models import Consent, Disclosure, Recipient, Referral, SubjectAccessRequest
from demo import history
from documents import demo as documents_demo  # a newer app's part, self-contained
from pps.models import CASE_ROLES, Role, Service, User
from pps.otp import create_demo_device
from pps.services import publish_policy
from reports import demo as statistics_demo
from rights.models import ChildProtectionDecision, LegalRequest
from safeguarding.models import Alert, BreakGlassAccess, Concern, Discussion, ExternalReferral

DEFAULT_SEED = 20140901  # the Children and Families Act 2014 reforms came into force on 1 September 2014
DEFAULT_PARENTS = 300
CONTACTS_PER_PARENT = 12
BATCH_SIZE = 2000
HISTORY_DAYS = 3 * 365 + 30  # three years and a month: a year's statistics have the year before
CASE_DAYS = 180  # cases last months, not years: the older a case, the likelier it is closed
# How busy each month is, for a service that follows the school year: quiet in August and over
# Christmas, busiest in the autumn term and in the spring, when EHC decisions come.
SEASON = {
    1: 0.85,
    2: 0.9,
    3: 1.0,
    4: 0.8,
    5: 1.0,
    6: 0.95,
    7: 0.75,
    8: 0.4,
    9: 0.95,
    10: 1.0,
    11: 1.0,
    12: 0.6,
}
# Children's ages when their parent first asks (most are of school age): (from, to, weight).
AGES = [(2, 3, 8), (4, 10, 42), (11, 15, 34), (16, 18, 11), (19, 24, 5)]
NNG_SHARE = 0.4

# Outward codes are real; inward codes are random (letters C, I, K, M, O, V are never used there).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
KENTISH_WEALD_TOWNS = [
    ("Maidstone", ["ME14", "ME15", "ME16", "ME17"]),
    ("Tonbridge", ["TN9", "TN10", "TN11"]),
    ("Royal Tunbridge Wells", ["TN1", "TN2", "TN4"]),
    ("Sevenoaks", ["TN13", "TN14", "TN15"]),
    ("Ashford", ["TN23", "TN24", "TN25", "TN26"]),
    ("Cranbrook", ["TN17"]),
    ("Paddock Wood", ["TN12"]),
    ("Tenterden", ["TN30"]),
    ("Edenbridge", ["TN8"]),
    ("Headcorn", ["TN27"]),
]
THAMES_VALLEY_TOWNS = [
    ("Reading", ["RG1", "RG2", "RG4", "RG6", "RG30", "RG31"]),
    ("Wokingham", ["RG40", "RG41"]),
    ("Bracknell", ["RG12", "RG42"]),
    ("Newbury", ["RG14"]),
    ("Thatcham", ["RG18", "RG19"]),
    ("Slough", ["SL1", "SL2", "SL3"]),
    ("Maidenhead", ["SL6"]),
    ("Windsor", ["SL4"]),
    ("Henley-on-Thames", ["RG9"]),
    ("Crowthorne", ["RG45"]),
]
STREETS = [
    "Church Lane", "Station Road", "High Street", "Mill Lane", "The Avenue", "Oak Close", "Orchard Way",
    "Victoria Road", "Hop Garden Way", "Bramley Drive", "Chestnut Walk", "Kingfisher Close", "School Lane",
    "Meadow View", "Willow Crescent", "Queens Road", "Park Road", "Hawthorn Rise", "Beech Grove",
    "Manor Road", "Springfield Avenue", "Abbey Road", "Elm Court", "Windmill Hill", "Forge Lane",
    "Cherry Tree Road", "Rectory Close", "Greenway", "Foxglove Close", "Riverside Walk",
]  # fmt: skip
SCHOOL_NAMES = [
    "Oakfield", "Hillview", "Meadowbank", "Brookside", "Ashgrove", "Riverside", "Kingsmead", "St Mary's",
    "Holy Trinity", "Parkwood", "Greenfields", "Westlands", "Beechwood", "Highfield", "Fairfield",
    "Willowbrook", "St John's", "Millbrook", "Copperfield", "Langley Park", "Hazelwood", "Elmstead",
    "Northgate", "Southfields", "Five Acre Wood", "Orchard Grove",
]  # fmt: skip

# Popular names for babies born in England and Wales 2000-2022 (ONS): children's names, not adults'.
BOYS = [
    "Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar", "Leo",
    "Archie", "Joshua", "Thomas", "James", "William", "Daniel", "Samuel", "Joseph", "Max", "Ethan",
    "Mohammed", "Muhammad", "Isaac", "Lucas", "Logan", "Dylan", "Riley", "Harrison", "Theo", "Arthur",
    "Henry", "Finley", "Tyler", "Kai", "Reuben", "Callum", "Kieran", "Connor", "Jayden", "Rhys", "Liam",
    "Ryan", "Lewis", "Bradley", "Ben", "Toby", "Mason", "Aaron", "Luca", "Ollie", "Zachary", "Tomasz",
]  # fmt: skip
GIRLS = [
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Mia", "Ella", "Jessica",
    "Chloe", "Isabella", "Poppy", "Evie", "Charlotte", "Ruby", "Freya", "Millie", "Daisy", "Phoebe",
    "Sophia", "Florence", "Willow", "Ivy", "Rosie", "Megan", "Lauren", "Hannah", "Bethany", "Holly",
    "Ellie", "Amber", "Zara", "Maisie", "Erin", "Imogen", "Niamh", "Aisha", "Layla", "Maya", "Harper",
    "Esme", "Matilda", "Eleanor", "Lucy", "Katie", "Abigail", "Amelie", "Scarlett", "Zuzanna", "Priya",
]  # fmt: skip

# Roughly the national mix of primary needs for children with EHC plans (DfE SEN2).
NEEDS = {
    Child.Need.ASD: 33, Child.Need.SLCN: 19, Child.Need.SEMH: 17, Child.Need.MLD: 8, Child.Need.SLD: 6,
    Child.Need.SPLD: 4, Child.Need.PD: 3, Child.Need.PMLD: 2, Child.Need.HI: 2, Child.Need.OTH: 2,
    Child.Need.NSA: 2, Child.Need.VI: 1, Child.Need.MSI: 1,
}  # fmt: skip
# Codes for statistics (R15): intervention level and referral source of a case, who a contact was
# with, and how long a parent waited from their first call to the case being opened.
LEVELS = {"1": 8, "2": 27, "3": 42, "4": 15, "tribunal": 6, "": 2}
REFERRAL_SOURCES = {
    "self": 52, "school": 21, "health": 8, "council": 7, "social_care": 4, "voluntary": 4, "other": 2, "": 2,
}  # fmt: skip
CASE_PERSONS = {"parent": 89, "professional": 8, "young_person": 3}
NNG_PERSONS = {"parent": 84, "professional": 11, "young_person": 5}
WAIT_DAYS = [(0, 0, 46), (1, 7, 30), (8, 28, 17), (29, 60, 7)]  # (from, to, weight)

PROVISIONS = {
    Child.Provision.EHC_PLAN: 40,
    Child.Provision.SEN_SUPPORT: 32,
    Child.Provision.ASSESSMENT: 18,
    Child.Provision.NONE: 10,
}


@dataclass(frozen=True)
class DemoService:
    name: str
    short_name: str
    prefix: str
    phone: str
    consent_renewal_months: int
    retention_months_after_closure: int
    nng_allowed: bool
    idle_timeout_minutes: int
    towns: list


SERVICES = (
    DemoService(
        name="Kentish Weald Parent Partnership Service",
        short_name="KWPPS",
        prefix="kw",
        phone="01632 960100",
        consent_renewal_months=12,
        retention_months_after_closure=12,
        nng_allowed=True,
        idle_timeout_minutes=15,
        towns=KENTISH_WEALD_TOWNS,
    ),
    DemoService(
        name="Thames Valley Parent Partnership Service",
        short_name="TVPPS",
        prefix="tv",
        phone="01632 960200",
        consent_renewal_months=12,
        retention_months_after_closure=36,
        nng_allowed=True,
        idle_timeout_minutes=15,
        towns=THAMES_VALLEY_TOWNS,
    ),
)
DEMO_SERVICE_NAMES = [s.name for s in SERVICES]

ROLE_LABELS = {
    Role.CASEWORKER: "Caseworker",
    Role.VOLUNTEER: "Volunteer (IPS)",
    Role.SENIOR_MANAGER: "Senior manager",
    Role.HEAD_OF_SERVICE: "Head of service",
    Role.COORDINATOR: "Coordinator",
    Role.MAINTAINER: "System maintainer",
}
#: Each service's staff: (role, username suffix, designated safeguarding lead).
STAFF = [
    (Role.CASEWORKER, "caseworker", False),
    (Role.CASEWORKER, "caseworker2", False),
    (Role.CASEWORKER, "caseworker3", False),
    (Role.VOLUNTEER, "volunteer", False),
    (Role.VOLUNTEER, "volunteer2", False),
    (Role.SENIOR_MANAGER, "senior", True),
    (Role.HEAD_OF_SERVICE, "head", False),
    (Role.COORDINATOR, "coordinator", False),
    (Role.MAINTAINER, "maintainer", False),
]

# --- What contacts and cases say, by topic (names as in cases.services.DEFAULT_TOPICS) -------------
# Notes read "<opener> about <about>; <detail>. <action>." ({who} is Mum, Dad or Gran).
NOTES = {
    "EHC needs assessment": (
        ["asking for an EHC needs assessment", "the council's decision on assessment", "{child}'s needs"],
        [
            "school says {child} is not 'bad enough' for an assessment",
            "the council refused to assess because school has not used its notional budget",
            "{child} has been on SEN support for two years with little progress",
            "the educational psychologist's visit has been cancelled twice",
        ],
        [
            "Explained the legal test for assessment and that a parent can ask the council directly",
            "Helped draft the request letter and a list of the evidence to attach",
            "Went through the six-week decision deadline and the right of appeal",
            "Sent our factsheet on requesting an assessment",
        ],
    ),
    "EHC plan": (
        ["the draft EHC plan", "{child}'s draft EHC plan", "the final EHC plan", "the plan's provision"],
        [
            "section F is vague about speech therapy",
            "the plan says 'access to' occupational therapy rather than a set amount",
            "{child}'s sensory needs are not in section B at all",
            "the outcomes in section E are not about {child}",
            "the school named in section I is not the one {who} asked for",
        ],
        [
            "Explained how to ask for it to be specified and quantified",
            "Went through the 15 days to comment and how to ask for a meeting",
            "Helped draft a response to the case officer",
            "Sent our guide to checking a draft plan, section by section",
        ],
    ),
    "SEN support": (
        ["SEN support at {school}", "{child}'s SEN support plan", "the support {child} gets in class"],
        [
            "the support plan has not been reviewed since September",
            "{child} is taken out of class for interventions and misses lessons",
            "school has not asked for advice from the specialist teaching service",
            "the SENCo says there is no money for one-to-one help",
        ],
        [
            "Explained assess, plan, do, review and what to ask at the next meeting",
            "Helped write a list of questions for the SENCo",
            "Agreed to come to the review meeting at school",
            "Sent the SEND Code of Practice chapter on SEN support",
        ],
    ),
    "Exclusion": (
        ["{child}'s suspension", "a suspension from {school}", "the threat of permanent exclusion"],
        [
            "{child} has been sent home at lunchtime three times without a letter",
            "this is the fourth suspension this term",
            "the behaviour seems linked to unmet needs that school has not assessed",
            "school has suggested a 'managed move'",
        ],
        [
            "Explained that informal exclusions are unlawful and what to ask school for in writing",
            "Went through the right to make representations to the governors",
            "Helped prepare for the reintegration meeting",
            "Signposted to the exclusions helpline for advice on the governors' review",
        ],
    ),
    "Tribunal or appeal": (
        ["the appeal to the SEND Tribunal", "the tribunal hearing", "the appeal about the named school"],
        [
            "the council has not sent its response on time",
            "the hearing date is in six weeks and the bundle is not ready",
            "{who} is worried about speaking at the hearing",
            "mediation did not settle the disagreement about section I",
        ],
        [
            "Went through the tribunal timetable and what evidence helps",
            "Helped put the working document in order",
            "Explained what happens on the day and who will be there",
            "Signposted to IPSEA for legal advice",
        ],
    ),
    "Transport": (
        ["home-to-school transport", "the transport refusal", "{child}'s taxi to school"],
        [
            "the council says the nearest suitable school is closer than the one named",
            "the taxi route takes over an hour each way",
            "{child} cannot travel with other children because of anxiety",
            "a personal transport budget was offered but does not cover the cost",
        ],
        [
            "Explained the two-stage review and appeal process",
            "Helped draft the stage one review request",
            "Sent the council's travel policy and the statutory guidance",
            "Agreed to check the appeal letter before it goes",
        ],
    ),
    "Complaints": (
        ["a complaint to {school}", "making a complaint about the council", "how the school handled things"],
        [
            "the school's complaints policy is not on its website",
            "the stage one reply did not answer the points raised",
            "{who} wants to take it to the governors",
            "the council missed the 20-week deadline for the plan",
        ],
        [
            "Went through the complaint stages and time limits",
            "Helped set out the complaint as a short list of points",
            "Explained when the Local Government and Social Care Ombudsman can look at it",
            "Sent our template complaint letter",
        ],
    ),
    "Health and social care": (
        ["speech and language therapy", "the CAMHS referral", "a social care assessment", "health advice"],
        [
            "the waiting list for an autism assessment is over two years",
            "CAMHS returned the referral saying the threshold was not met",
            "the health advice in the plan is out of date",
            "{who} is exhausted and asked about short breaks",
        ],
        [
            "Explained how health provision in section G differs from section F",
            "Signposted to the local offer for short breaks",
            "Helped ask the GP to chase the referral",
            "Explained the right to ask for a carer's assessment",
        ],
    ),
    "Admissions and school placement": (
        ["the move to secondary school", "naming a school in the plan", "a place at a special school"],
        [
            "the preferred school says it cannot meet {child}'s needs",
            "the phase transfer deadline is 15 February",
            "the special school is full and the council named a mainstream school",
            "{who} is visiting schools and is not sure what to ask",
        ],
        [
            "Explained the right to ask for a particular school and the grounds for refusal",
            "Sent our checklist for school visits",
            "Went through the timetable for phase transfer",
            "Helped draft the reasons for the preferred school",
        ],
    ),
    "Annual review": (
        ["{child}'s annual review", "the annual review meeting", "the outcome of the annual review"],
        [
            "no-one has sent the reports two weeks before the meeting",
            "school wants to cut the support hours",
            "the council has not said whether it will amend the plan",
            "{child}'s views are not in the paperwork",
        ],
        [
            "Explained the four-week deadline for the council's decision",
            "Helped prepare the family's views for the meeting",
            "Agreed to attend the review meeting",
            "Went through what to ask for in the amended plan",
        ],
    ),
    "Mediation and disagreement resolution": (
        ["mediation", "the mediation certificate", "a disagreement resolution meeting"],
        [
            "the appeal deadline is close and mediation has not been offered",
            "{who} is unsure whether mediation is worth it",
            "the council's officer did not have authority to agree anything",
            "mediation reached agreement on some points but not the placement",
        ],
        [
            "Explained the options and the certificate needed before appealing",
            "Helped plan what to say and what to ask for",
            "Went through the mediation agreement and the deadline for the council to act",
            "Sent the mediation service's leaflet",
        ],
    ),
    "Attendance": (
        ["{child}'s attendance", "a reduced timetable at {school}", "{child} not going to school"],
        [
            "{child} has been on a reduced timetable for a whole term",
            "school has mentioned a fine for non-attendance",
            "{child}'s anxiety is so bad that mornings end in a meltdown",
            "{child} has been out of school since October",
        ],
        [
            "Explained the duty to arrange suitable education when a child cannot attend",
            "Helped ask school for a plan to return with a review date",
            "Explained the difference between authorised and unauthorised absence",
            "Signposted to the local support group for school refusal",
        ],
    ),
}
SUMMARIES = {
    "EHC needs assessment": [
        "Help asking the council for an EHC needs assessment for {child}.",
        "The council refused to assess {child}; help deciding whether to appeal.",
    ],
    "EHC plan": [
        "Checking {child}'s draft EHC plan: provision in section F is vague.",
        "{child}'s EHC plan does not describe their needs; help asking for changes.",
    ],
    "SEN support": [
        "{child} is on SEN support at {school} but is not making progress.",
        "Help understanding what SEN support {school} should give {child}.",
    ],
    "Exclusion": [
        "{child} has had several suspensions from {school}; support at meetings.",
        "{child} is at risk of permanent exclusion from {school}.",
    ],
    "Tribunal or appeal": [
        "Appeal to the SEND Tribunal about the school named in {child}'s plan.",
        "Appeal to the SEND Tribunal against the refusal to assess {child}.",
    ],
    "Transport": ["Home-to-school transport for {child} refused; help with the review and appeal."],
    "Complaints": ["Complaint about how {school} is meeting {child}'s needs."],
    "Health and social care": [
        "Help getting speech and language therapy for {child}.",
        "Help with the health and care parts of {child}'s plan.",
    ],
    "Admissions and school placement": [
        "{child} is moving to secondary school; help with phase transfer and naming a school.",
        "Help finding a school that can meet {child}'s needs.",
    ],
    "Annual review": ["{child}'s annual review is due; help preparing the family's views."],
    "Mediation and disagreement resolution": ["Mediation with the council about {child}'s plan."],
    "Attendance": ["{child} is struggling to attend {school} and is on a reduced timetable."],
}
# How often each topic is the reason a case is opened.
MAIN_TOPICS = {
    "EHC needs assessment": 20, "EHC plan": 18, "SEN support": 14, "Exclusion": 8, "Tribunal or appeal": 7,
    "Transport": 5, "Complaints": 4, "Health and social care": 5, "Admissions and school placement": 7,
    "Annual review": 7, "Mediation and disagreement resolution": 2, "Attendance": 5,
}  # fmt: skip
CLOSE_REASONS = [
    "The plan is finalised and the family is happy with it; no further support needed.",
    "Parent says they have what they need for now; told they can come back at any time.",
    "Tribunal appeal concluded.",
    "No reply after three attempts to get in touch; letter sent saying how to come back to us.",
    "Child settled well at the new school.",
    "Needs assessment agreed; parent confident to carry on.",
]
OPENERS = {
    ("phone", "in"): ["{who} called", "{who} rang"],
    ("phone", "out"): ["Called {who} back", "Rang {who}"],
    ("email", "in"): ["{who} emailed"],
    ("email", "out"): ["Emailed {who}"],
    ("letter", "in"): ["Letter from {who}"],
    ("letter", "out"): ["Wrote to {who}"],
    ("text", "in"): ["{who} texted"],
    ("text", "out"): ["Texted {who}"],
    ("meeting", "in"): ["Met {who} at the office", "Met {who} at {school}"],
    ("meeting", "out"): ["Home visit to {who}", "Went with {who} to a meeting at {school}"],
    ("video", "in"): ["Video call with {who}"],
    ("video", "out"): ["Video call with {who}"],
}
CHANNELS = {"phone": 42, "email": 28, "meeting": 10, "video": 8, "letter": 5, "text": 7}
NNG_CHANNELS = {"phone": 62, "email": 26, "meeting": 4, "video": 3, "text": 5}
# (shortest, longest) minutes; a contact is mostly short, sometimes long.
DURATIONS = {
    "phone": (5, 75),
    "email": (10, 45),
    "letter": (20, 90),
    "text": (2, 10),
    "video": (20, 90),
    "meeting": (45, 240),
}
CASE_OUTCOMES = {
    "Advice given": 26,
    "Information given": 20,
    "Follow-up arranged": 16,
    "Letter or email drafted with the parent": 12,
    "Signposted to another organisation": 8,
}
NNG_OUTCOMES = {
    "Information given": 50,
    "Advice given": 25,
    "Signposted to another organisation": 20,
    "No further action": 5,
}


@dataclass
class Login:
    role: str
    username: str
    password: str
    service: str
    authenticator_key: str = ""


DEMO_POLICY = """{service}: confidentiality policy (demo version)

Parents and carers have a right to expect that what they tell us is respected and not passed on
without their express permission, unless a child may be at risk.

- Parents may contact us anonymously; we keep their details only when they have been told why and
  agreed.
- Nothing about a parent, not even the fact that they contacted us, leaves the service without
  their consent, except a child-protection concern, which is always discussed with a senior
  manager first.
- Records are reached only by the staff working on them and designated senior staff; every access
  is recorded.
- Lock your screen when you step away; never share your password or authenticator app.
- Case studies for training have every identifying detail removed.

All staff and volunteers read and agree to this policy, and agree again to each new version.
"""


@dataclass
class DemoResult:
    services: list
    logins: list
    counts: dict = field(default_factory=dict)


class DemoDataError(Exception):
    """The demo data cannot be loaded here; the message says why."""


class DemoDataAlreadyLoaded(DemoDataError):
    pass


def demo_services():
    return Service.objects.filter(name__in=DEMO_SERVICE_NAMES)


def is_loaded() -> bool:
    return demo_services().exists()


def demo_usernames() -> list[str]:
    return [f"{s.prefix}.{suffix}" for s in SERVICES for _, suffix, _ in STAFF]


def load(
    *,
    parents: int = DEFAULT_PARENTS,
    contacts: int | None = None,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    progress=None,
    now: datetime | None = None,
) -> DemoResult:
    """Create the demo services and everything in them, in one transaction; not audited.

    ``contacts`` is the total number of contacts, NNG ones (about 40%) included; every case gets
    at least one. Raises ``DemoDataAlreadyLoaded`` if the demo services exist.
    """
    if contacts is None:
        contacts = parents * CONTACTS_PER_PARENT
    # Generated data, not what anybody did: bulk demo loading is deliberately not audited.
    with disable_auditlog(), transaction.atomic():
        if is_loaded():
            raise DemoDataAlreadyLoaded
        loader = _Loader(seed=seed, batch_size=batch_size, progress=progress, now=now)
        result = loader.run(parents=parents, contacts=contacts)
        statistics_demo.count_statistics(result.services, progress=progress)
        return result


def delete(progress=None) -> int:
    """Delete the demo services and everything in them (not audited); returns how many services."""
    progress = progress or (lambda message: None)
    with disable_auditlog(), transaction.atomic():
        services = list(demo_services())
        if not services:
            return 0
        # Child-protection files (their referrals hold disclosures), what staff recorded on the
        # demo cases since (disclosures, requests, referrals), and consents to share, which
        # protect their case from deletion.
        # Requests and decisions protect cases and files.
        LegalRequest.objects.filter(service__in=services).delete()

        documents_demo.delete(services)
        ChildProtectionDecision.objects.filter(request__service__in=services).delete()
        ExternalReferral.objects.filter(concern__case__service__in=services).delete()
        Discussion.objects.filter(concern__case__service__in=services).delete()
        Concern.objects.filter(service__in=services).delete()
        BreakGlassAccess.objects.filter(case__service__in=services).delete()
        Disclosure.objects.filter(case__service__in=services).delete()
        SubjectAccessRequest.objects.filter(service__in=services).delete()
        Referral.objects.filter(service__in=services).delete()
        Consent.objects.filter(case__service__in=services).delete()
        # Children of a parent, tokens, consents, case events and permissions go with their owner.
        for model, label in ((Contact, "contacts"), (Case, "cases"), (Parent, "parents")):
            ids = list(model.objects.filter(service__in=services).values_list("pk", flat=True))
            for start in range(0, len(ids), 5000):
                model.objects.filter(pk__in=ids[start : start + 5000]).delete()
                progress(f"deleted {label} {min(start + 5000, len(ids))}/{len(ids)}")
        User.objects.filter(service__in=services).delete()
        Service.objects.filter(pk__in=[s.pk for s in services]).delete()
        return len(services)


# --- The logins file -------------------------------------------------------------------------------

_SERVICES_LINE = "# services: "


def format_logins(logins: list[Login]) -> str:
    headers = ("role", "username", "password", "service", "authenticator key")
    rows = [(x.role, x.username, x.password, x.service, x.authenticator_key) for x in logins]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row):
        return "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]) + "\n"


def write_logins(path: Path, result: DemoResult) -> None:
    """Write the logins table, readable by the owner only, marked with the services it is for."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        f"# Demo logins, generated {timezone.localtime():%Y-%m-%d %H:%M}. Passwords are random for this\n"
        "# install. Keep this file private (var/ is not committed).\n"
        f"{_SERVICES_LINE}{' '.join(str(s.pk) for s in result.services)}\n\n" + format_logins(result.logins)
    )
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def read_logins(path: Path) -> str | None:
    """The logins table from ``path``, if it is there and was written for the services in this
    database (another database's file would list passwords that do not work here)."""
    path = Path(path)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    expected = {str(pk) for pk in demo_services().values_list("pk", flat=True)}
    for row in text.splitlines():
        if row.startswith(_SERVICES_LINE) and set(row[len(_SERVICES_LINE) :].split()) == expected:
            return "\n".join(row for row in text.splitlines() if not row.startswith("#")).strip() + "\n"
    return None


# --- Generation --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CasePlan:
    """What the contact phase needs to know about a case."""

    id: uuid.UUID
    service: int
    staff_id: uuid.UUID
    opened_at: datetime
    last_at: datetime  # no contact after this (closing time, or now)
    is_open: bool
    topic: str
    words: dict  # who, child, school: for notes
    special: str | None = None  # "today", "due_today", "overdue", "this_week" for the demo caseworker
    contacts: int = 1
    key: bytes = b""  # the household's data key, so that contacts are encrypted without a query
    children: list = field(default_factory=list)  # (child id, date of birth, need, provision)
    wait_days: int = 0  # from the first call to the case being opened


# Each service's demo child-protection concerns (R6): (what was said or seen, immediate danger,
# how far it got, days ago). Invented, like everything here.
CONCERNS = [
    (
        "{child} arrived at the meeting at {school} hungry and said there had been no food at home "
        "since Friday. {who} seemed very low and did not want to talk about it.",
        False,
        "new",
        1,
    ),
    (
        "During a home visit {child} said they were scared to go home after school because an adult "
        "staying there hits them. There was a fresh mark on their arm.",
        True,
        "new",
        0,
    ),
    (
        "{child} told the volunteer after the annual review that they are often left on their own "
        "overnight, and that they look after a younger brother.",
        False,
        "referred",
        6,
    ),
    (
        "{child} had a large bruise on the knee. {who} said it was a fall in the playground, which "
        "{school} confirmed and had recorded in its accident book.",
        False,
        "closed",
        20,
    ),
]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Loader:
    def __init__(self, *, seed: int, batch_size: int, progress, now: datetime | None):
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.batch_size = batch_size
        self.progress = progress or (lambda message: None)
        self.now = (now or timezone.now()).astimezone(UTC)
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate(self.now)
        self.history_start = self.now - timedelta(days=HISTORY_DAYS)
        self.counts: dict[str, int] = {}
        self.used_references = set(Case.objects.values_list("reference", flat=True))
        self.primary: list[User] = []  # per service
        self.others: list[tuple[list[User], list[int]]] = []  # per service: other case staff, weights
        self.nng_staff: list[list[User]] = []  # per service

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # --- services and staff ---

    def run(self, *, parents: int, contacts: int) -> DemoResult:
        taken = User.objects.filter(username__in=demo_usernames()).values_list("username", flat=True)
        if taken:
            raise DemoDataError(f"These usernames are already in use: {', '.join(sorted(taken))}")
        self.permissions = [
            Permission.objects.get(content_type__app_label="cases", codename=name.split(".")[1])
            for name in CASE_PERMISSIONS
        ]
        services, logins = [], []
        for spec in SERVICES:
            service = Service.objects.create(
                name=spec.name,
                short_name=spec.short_name,
                phone=spec.phone,
                consent_renewal_months=spec.consent_renewal_months,
                retention_months_after_closure=spec.retention_months_after_closure,
                nng_allowed=spec.nng_allowed,
                idle_timeout_minutes=spec.idle_timeout_minutes,
            )
            seed_reference_data(service)
            services.append(service)
            logins.extend(self.make_staff(service, spec))
        self.services = services
        self.topics = [{t.name: t.pk for t in Topic.objects.filter(service=s)} for s in services]
        self.outcomes = [{o.name: o.pk for o in Outcome.objects.filter(service=s)} for s in services]

        shares = [
            parents // len(services) + (1 if i < parents % len(services) else 0) for i in range(len(services))
        ]
        plans: list[_CasePlan] = []
        done = 0
        for index, share in enumerate(shares):
            done = self.make_parents(index, share, plans, done, parents)
        self.make_contacts(plans, contacts, shares)
        for index in range(len(services)):
            self.make_concerns(index, plans)
            self.make_referrals(index, max(6, shares[index] // 8))

        self.counts["documents"] = documents_demo.load(services, now=self.now)
        self.counts["corrections"] = history.load_corrections(services, now=self.now)
        self.counts["account events"] = history.load_account_history(
            services, now=self.now, started=self.history_start
        )
        self.counts["staff"] = len(logins)
        return DemoResult(services=services, logins=logins, counts=self.counts)

    def make_staff(self, service: Service, spec: DemoService) -> list[Login]:
        staff, logins = [], []
        for number, (role, suffix, lead) in enumerate(STAFF, start=1):
            first, last = self.fake.first_name(), self.fake.last_name()
            user = User(
                username=f"{spec.prefix}.{suffix}",
                first_name=first,
                last_name=last,
                email=f"{_ascii(first)}.{_ascii(last)}@example.org",
                service=service,
                role=role,
                is_safeguarding_lead=lead,
                work_phone=f"{spec.phone[:-3]}{int(spec.phone[-3:]) + number:03d}",
            )
            password = secrets.token_urlsafe(15)  # 20 characters
            user.set_password(password)
            staff.append(user)
            label = ROLE_LABELS[role] + (" and safeguarding lead" if lead else "")
            logins.append(Login(label, user.username, password, spec.short_name))
        User.objects.bulk_create(staff)
        # A confirmed authenticator app for everyone, so that the demo signs in without a phone
        # (`python -m pps.totp_code KEY` shows the code), and the service's policy to agree to.
        for user, login in zip(staff, logins, strict=True):
            login.authenticator_key = create_demo_device(user)
        senior = next(u for u in staff if u.role == Role.SENIOR_MANAGER)
        publish_policy(senior, service, DEMO_POLICY.format(service=service.name))
        case_staff = [u for u in staff if u.role in (Role.CASEWORKER, Role.VOLUNTEER)]
        # The first caseworker is the one to sign in as: a dashboard-sized caseload is kept for them.
        self.primary.append(case_staff[0])
        self.others.append((case_staff[1:], [3 if u.role == Role.CASEWORKER else 1 for u in case_staff[1:]]))
        self.nng_staff.append([u for u in staff if u.role in (*CASE_ROLES, Role.SENIOR_MANAGER)])
        return logins

    # --- parents, children, consents, cases ---

    def make_parents(self, index: int, share: int, plans: list, done: int, total: int) -> int:
        rng, spec, service = self.rng, SERVICES[index], self.services[index]
        primary = self.primary[index]
        target_open = min(15, max(len(CONCERNS), share // 6))  # open cases for the concerns, too
        target_closed = max(1, target_open // 2)
        specials = ["today"] * 3 + ["due_today"] * 2 + ["overdue"] * 3 + ["this_week"] * 4
        primary_open = primary_closed = 0
        for start in range(0, share, self.batch_size):
            batch = {
                "parents": [],
                "children": [],
                "consents": [],
                "cases": [],
                "case_consents": [],
                "events": [],
            }
            batch.update(permissions=[], tokens=[])
            for _ in range(min(self.batch_size, share - start)):
                # First calls spread evenly over the years, so each year has as many as the last.
                days_ago = rng.uniform(2, HISTORY_DAYS)
                is_open = rng.random() < math.exp(-days_ago / CASE_DAYS)
                if primary_open < target_open:  # the demo caseworker's caseload, whatever the dice say
                    is_open, days_ago = True, min(days_ago, rng.uniform(2, CASE_DAYS))
                if is_open and primary_open < target_open:
                    staff, special = primary, (specials[primary_open] if primary_open < 12 else None)
                    primary_open += 1
                elif not is_open and primary_closed < target_closed:
                    staff, special = primary, None
                    primary_closed += 1
                else:
                    staff, special = self.pick_staff(index), None
                self.make_parent(index, spec, service, staff, is_open, special, batch, plans, days_ago)
            for model, key in (
                (Parent, "parents"),
                (Child, "children"),
                (Consent, "consents"),
                (Case, "cases"),
                (Consent, "case_consents"),
                (CaseEvent, "events"),
                (CaseUserObjectPermission, "permissions"),
                (ParentSearchToken, "tokens"),
            ):
                model.objects.bulk_create(batch[key], batch_size=self.batch_size)
                self.count(key, len(batch[key]))
            done += len(batch["parents"])
            self.progress(f"parents {done}/{total}")
        return done

    def pick_staff(self, index: int) -> User:
        people, weights = self.others[index]
        return self.rng.choices(people, weights=weights)[0]

    def make_parent(self, index, spec, service, staff, is_open, special, batch, plans, days_ago) -> None:
        rng, fake, now = self.rng, self.fake, self.now
        who = _weighted(rng, {"Mum": 80, "Dad": 17, "Gran": 3})
        first = fake.first_name_male() if who == "Dad" else fake.first_name_female()
        last = fake.last_name()
        town, outward_codes = rng.choice(spec.towns)
        postcode = f"{rng.choice(outward_codes)} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}"
        postcode += rng.choice(INWARD_LETTERS)
        if rng.random() < 0.75:
            phone = f"07700 900{rng.randrange(1000):03d}"
        else:
            phone = f"01632 960{rng.randrange(300, 1000):03d}"
        email = ""
        if rng.random() < 0.85:
            domain = rng.choice(["example.org", "example.com"])
            email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@{domain}"
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}\n{town}" if rng.random() < 0.92 else ""
        preferred = {Parent.PreferredContact.PHONE: 55, Parent.PreferredContact.TEXT: 10}
        if email:
            preferred[Parent.PreferredContact.EMAIL] = 30
        if address:
            preferred[Parent.PreferredContact.LETTER] = 5

        # When things happened: the current case, and perhaps an older, closed one before it.
        if special:
            current_opened = now - timedelta(days=rng.uniform(21, 120))
        else:
            current_opened = now - timedelta(days=days_ago if is_open else max(45, days_ago))
        current_opened = self.office_time(current_opened - timedelta(days=3), current_opened)
        closed_at = None
        if not is_open:
            latest = min(current_opened + timedelta(days=300), now - timedelta(days=1))
            closed_at = self.office_time(current_opened + timedelta(days=14), latest)
        earlier = None
        room = (current_opened - self.history_start).days
        if room > 75 and rng.random() < 0.3:
            old_opened = self.office_time(self.history_start, current_opened - timedelta(days=60))
            old_closed = self.office_time(
                old_opened + timedelta(days=14),
                min(old_opened + timedelta(days=200), current_opened - timedelta(days=21)),
            )
            earlier = (old_opened, old_closed)
        created_at = earlier[0] if earlier else current_opened

        parent = Parent(
            service=service,
            first_name=first,
            last_name=last,
            phone=phone,
            email=email,
            address=address,
            postcode=postcode,
            preferred_contact=_weighted(rng, preferred),
            detailed_message_ok=rng.random() < 0.4,
            parental_responsibility=Parent.ParentalResponsibility.YES,
            created_at=created_at,
            created_by=staff,
        )
        batch["parents"].append(parent)
        batch["tokens"].extend(
            ParentSearchToken(parent=parent, service_id=parent.service_id, kind=kind, value=value)
            for kind, value in sorted(stored_tokens(parent))
        )
        method = _weighted(
            rng,
            {
                Consent.Method.ORAL_PHONE: 70,
                Consent.Method.WRITTEN_MEETING: 15,
                Consent.Method.EMAIL: 12,
                Consent.Method.LETTER: 3,
            },
        )
        batch["consents"].append(
            Consent(
                parent=parent,
                method=method,
                given_at=created_at,
                recorded_by=staff,
                parent_was_told=service.why_we_keep_statement,
                keeps_details=True,
            )
        )
        children = []
        for _ in range(rng.choices([1, 2, 3], [60, 32, 8])[0]):
            children.append(self.make_child(parent, town, [c.date_of_birth for c in children]))
        batch["children"].extend(children)
        child = rng.choice([c for c in children if c.school] or children)
        words = {"who": who, "child": child.first_name, "school": child.school or "the school"}

        if earlier:
            old_staff = staff if rng.random() < 0.5 else self.pick_staff(index)
            self.make_case(index, parent, old_staff, earlier[0], earlier[1], None, words, batch, plans)
        self.make_case(index, parent, staff, current_opened, closed_at, special, words, batch, plans)
        codes = [(c.pk, c.date_of_birth, c.need, c.provision) for c in children]
        for plan in plans[-2 if earlier else -1 :]:
            plan.children = codes

    def make_child(self, parent: Parent, town: str, siblings: list) -> Child:
        rng = self.rng
        for _ in range(10):  # brothers and sisters are not born weeks apart (twins aside)
            low, high, _ = rng.choices(AGES, weights=[w for *_, w in AGES])[0]
            age_days = rng.randint(low * 365, high * 365 + 364)
            # Their age when the parent first asked for help, which was up to three years ago.
            born = timezone.localdate(parent.created_at) - timedelta(days=age_days)
            if all(abs((born - other).days) > 300 for other in siblings):
                break
        age = age_days // 365
        need = _weighted(rng, NEEDS)
        provision = _weighted(rng, PROVISIONS)
        if age < 4 and provision == Child.Provision.EHC_PLAN and rng.random() < 0.6:
            provision = Child.Provision.ASSESSMENT
        if provision == Child.Provision.NONE and rng.random() < 0.4:
            need = ""
        elif need == Child.Need.NSA and provision == Child.Provision.EHC_PLAN:
            provision = Child.Provision.SEN_SUPPORT
        if age >= 19:  # past school age, support continues only through an EHC plan
            provision = Child.Provision.EHC_PLAN if rng.random() < 0.8 else Child.Provision.NONE
        name = rng.choice(SCHOOL_NAMES)
        if need in (Child.Need.SLD, Child.Need.PMLD, Child.Need.MSI) and age >= 4:
            school = f"{name} School"  # a special school
        elif age < 4:
            school = rng.choice([f"{name} Pre-school", f"Little {name} Day Nursery", ""])
        elif age < 11:
            school = rng.choice([f"{name} Primary School", f"{name} Primary Academy"])
            if age < 7 and rng.random() < 0.3:
                school = f"{name} Infant School"
        elif age < 16:
            school = rng.choice([f"{name} Academy", f"{name} School", f"{name} Grammar School"])
        elif age < 19:
            school = rng.choice([f"{name} Sixth Form", f"{town} College", f"{name} Academy"])
        else:
            school = rng.choice([f"{town} College", "", ""])
        male = rng.random() < 0.68  # boys are about two thirds of children with EHC plans
        return Child(
            parent=parent,
            first_name=rng.choice(BOYS if male else GIRLS),
            last_name=parent.last_name if rng.random() < 0.8 else self.fake.last_name(),
            date_of_birth=born,
            school=school,
            need=need,
            provision=provision,
        )

    def make_consent_to_share(self, parent, case, staff, opened_at, batch) -> None:
        """Consent to share, given on a call or at a meeting soon after the case opened (R3)."""
        rng = self.rng
        given_at = self.office_time(
            opened_at, min(opened_at + timedelta(days=7), self.now - timedelta(minutes=1))
        )
        recipients = ["school"] + rng.sample(["sen_team", "health", "social_care"], rng.choice([0, 1, 1, 2]))
        method = Consent.Method.ORAL_PHONE if rng.random() < 0.6 else Consent.Method.WRITTEN_MEETING
        renewal = parent.service.consent_renewal_months
        batch["case_consents"].append(
            Consent(
                parent=parent,
                case=case,
                method=method,
                given_at=given_at,
                recorded_by=staff,
                parent_was_told="Explained that we share only with those named here, and only to help.",
                recipients=recipients,
                expires_on=Consent.expiry_for(timezone.localdate(given_at), renewal),
            )
        )

    def make_case(self, index, parent, staff, opened_at, closed_at, special, words, batch, plans) -> None:
        rng = self.rng
        topic = _weighted(rng, MAIN_TOPICS)
        level = _weighted(rng, LEVELS)
        case = Case(
            service=parent.service,
            parent=parent,
            intervention_level=level,
            referral_source=_weighted(rng, REFERRAL_SOURCES),
            reference=self.new_reference(),
            summary=rng.choice(SUMMARIES[topic]).format(**words),
            status=Case.Status.CLOSED if closed_at else Case.Status.OPEN,
            opened_at=opened_at,
            opened_by=staff,
            closed_at=closed_at,
        )
        batch["cases"].append(case)
        if closed_at is None and rng.random() < 0.85:
            self.make_consent_to_share(parent, case, staff, opened_at, batch)
        batch["events"].append(CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, at=opened_at, by=staff))
        if level:
            batch["events"].append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.LEVEL,
                    code=level,
                    at=opened_at + timedelta(minutes=2),
                    by=staff,
                )
            )
        low, high, _ = rng.choices(WAIT_DAYS, weights=[w for *_, w in WAIT_DAYS])[0]
        wait_days = 0 if special else rng.randint(low, high)
        if closed_at:
            batch["events"].append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.CLOSED,
                    reason=rng.choice(CLOSE_REASONS),
                    at=closed_at,
                    by=staff,
                )
            )
        # What cases.access.assign_to_case gives, written directly.
        batch["permissions"].extend(
            CaseUserObjectPermission(permission=permission, user=staff, content_object=case)
            for permission in self.permissions
        )
        last_at = closed_at - timedelta(minutes=30) if closed_at else self.now - timedelta(minutes=1)
        plans.append(
            _CasePlan(
                id=case.pk,
                service=index,
                staff_id=staff.pk,
                opened_at=opened_at,
                last_at=last_at,
                is_open=closed_at is None,
                topic=topic,
                words=words,
                special=special,
                contacts=3 if special else 1,
                key=parent.household_key(),
                wait_days=wait_days,
            )
        )

    def new_reference(self) -> str:
        # Not Case's default: at tens of thousands of cases a clash among 32**6 references is likely.
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            reference = "".join(self.rng.choice(alphabet) for _ in range(6))
            if reference not in self.used_references:
                self.used_references.add(reference)
                return reference

    # --- contacts ---

    def make_contacts(self, plans: list[_CasePlan], total: int, shares: list[int]) -> None:
        rng = self.rng
        on_cases = sum(plan.contacts for plan in plans)
        extra = max(0, total - round(total * NNG_SHARE) - on_cases) if plans else 0
        nng = max(0, total - on_cases - extra)
        if extra:
            weights = [
                (1.0 if plan.is_open else 0.8) * (0.5 + min((plan.last_at - plan.opened_at).days, 180) / 180)
                for plan in plans
            ]
            for i in rng.choices(range(len(plans)), weights=weights, k=extra):
                plans[i].contacts += 1
        self.planned = on_cases + extra + nng
        self.contacts, self.links, self.child_codes = [], [], []
        for plan in plans:
            self.make_case_contacts(plan)
        nng_shares = [round(nng * share / max(1, sum(shares))) for share in shares]
        nng_shares[-1] = nng - sum(nng_shares[:-1])
        for index, count in enumerate(nng_shares):
            for _ in range(count):
                self.make_nng_contact(index)
        self.flush_contacts(force=True)

    def flush_contacts(self, force: bool = False) -> None:
        if len(self.contacts) < self.batch_size and not (force and self.contacts):
            return
        Contact.objects.bulk_create(self.contacts, batch_size=self.batch_size)
        Contact.topics.through.objects.bulk_create(self.links, batch_size=self.batch_size)
        ContactChild.objects.bulk_create(self.child_codes, batch_size=self.batch_size)
        self.count("contacts", len(self.contacts))
        self.count("contact topics", len(self.links))
        self.contacts, self.links, self.child_codes = [], [], []
        self.progress(f"contacts {self.counts['contacts']}/{self.planned}")

    def add_contact(self, contact: Contact, topics: list) -> None:
        self.contacts.append(contact)
        through = Contact.topics.through
        self.links.extend(through(contact_id=contact.pk, topic_id=topic_id) for topic_id in topics)
        self.flush_contacts()

    def make_case_contacts(self, plan: _CasePlan) -> None:
        rng, now, today = self.rng, self.now, self.today
        topics, outcomes = self.topics[plan.service], self.outcomes[plan.service]
        last_special = self.special_time(plan) if plan.special else None
        end = last_special - timedelta(hours=1) if last_special else plan.last_at
        times = sorted(self.office_time(plan.opened_at, end) for _ in range(plan.contacts - 1))
        # The first call came before the case was opened (logged on the case afterwards).
        times.insert(0, plan.opened_at - timedelta(days=plan.wait_days))
        if last_special:
            times[-1] = last_special
        for i, at in enumerate(times):
            first, last = i == 0, i == len(times) - 1
            channel = _weighted(
                rng, {"phone": 60, "email": 25, "meeting": 10, "video": 5} if first else CHANNELS
            )
            direction = "in" if first else rng.choice(["in", "out"])
            chosen = [plan.topic, *rng.sample(list(topics), rng.choices([0, 1, 2], [60, 30, 10])[0])]
            chosen = list(dict.fromkeys(name for name in chosen if name in topics)) or [next(iter(topics))]
            if first:
                outcome = "Case opened for in-depth support"
            elif last and not plan.is_open:
                outcome = rng.choice(["No further action", "Advice given"])
            elif channel == "meeting" and rng.random() < 0.7:
                outcome = "Meeting attended with the parent"
            else:
                outcome = _weighted(rng, CASE_OUTCOMES)
            follow_up_on, follow_up_done = None, False
            if last and plan.special:
                follow_up_on = {
                    "today": None,
                    "due_today": today,
                    "overdue": rng.choice(_weekdays(today - timedelta(days=4), today - timedelta(days=1))),
                    "this_week": rng.choice(_weekdays(today + timedelta(days=1), today + timedelta(days=6))),
                }[plan.special]
            elif last and plan.is_open and rng.random() < 0.25:
                follow_up_on = _next_weekday(timezone.localdate(at) + timedelta(days=rng.randint(3, 28)))
                follow_up_done = follow_up_on < today and rng.random() < 0.9  # a few left overdue
            elif rng.random() < 0.12:
                candidate = _next_weekday(timezone.localdate(at) + timedelta(days=rng.randint(2, 14)))
                if candidate < today:
                    follow_up_on, follow_up_done = candidate, True
            if outcome == "Follow-up arranged" and follow_up_on is None:
                outcome = "Advice given"
            minutes = self.duration(channel)
            contact = Contact(
                service_id=self.services[plan.service].pk,
                case_id=plan.id,
                occurred_at=at,
                channel=channel,
                direction=direction,
                person="parent" if first else _weighted(rng, CASE_PERSONS),
                duration_minutes=minutes,
                outcome_id=outcomes[outcome],
                notes=self.note(plan.words, channel, direction, chosen[0]),
                follow_up_on=follow_up_on,
                follow_up_done=follow_up_done,
                logged_by_id=plan.staff_id,
                logged_at=min(now, at + timedelta(minutes=minutes + rng.randint(0, 120))),
            )
            contact.use_household_key(plan.key)
            on = timezone.localdate(at)
            self.child_codes.extend(
                ContactChild(
                    contact=contact,
                    child_id=child_id,
                    service_id=contact.service_id,
                    occurred_at=at,
                    phase=ContactChild.phase_for(born, on),
                    need=need,
                    provision=provision,
                )
                for child_id, born, need, provision in plan.children
            )
            self.add_contact(contact, [topics[name] for name in chosen])

    def make_concerns(self, index: int, plans: list[_CasePlan]) -> None:
        """A few child-protection concerns on open cases, so that the designated lead has a
        queue: one new, one of immediate danger, one discussed and referred to social care, one
        closed after discussion."""
        service = self.services[index]
        leads = list(User.objects.filter(service=service, is_safeguarding_lead=True))
        primary = self.primary[index]
        # The demo caseworker's cases first, so that they see what they raised.
        open_plans = [p for p in plans if p.service == index and p.is_open]
        open_plans.sort(key=lambda p: p.staff_id != primary.pk)
        if not leads or not open_plans:
            return
        lead, base = leads[0], min(self.now, timezone.now())
        staff = {u.pk: u for u in User.objects.filter(pk__in={p.staff_id for p in open_plans})}
        for number, ((text, danger, stage, days), plan) in enumerate(zip(CONCERNS, open_plans, strict=False)):
            case, raiser = Case.objects.select_related("parent").get(pk=plan.id), staff[plan.staff_id]
            case.parent.use_household_key(plan.key)
            children = list(Child.objects.filter(parent_id=case.parent_id).order_by("created_at"))
            for child in children:
                child.use_household_key(plan.key)
            child = next((c for c in children if c.first_name == plan.words["child"]), None)
            raised_at = base - timedelta(days=days, hours=number + 1)
            held_at = raised_at + timedelta(hours=20)
            concern = Concern(
                service=case.service,
                case=case,
                child=child,
                what=text.format(**plan.words),
                happened_at=raised_at - timedelta(hours=2),
                immediate_danger=danger,
                status={"new": Concern.Status.NEW, "referred": Concern.Status.REFERRED}.get(
                    stage, Concern.Status.CLOSED
                ),
                raised_by=raiser,
                raised_at=raised_at,
                case_reference=case.reference,
                child_name=child.full_name if child else "",
                parent_name=case.parent.full_name,
                closed_at=held_at if stage == "closed" else None,
            )
            concern.save()
            self.count("concerns", 1)
            kind = Alert.Kind.IMMEDIATE_DANGER if danger else Alert.Kind.NEW_CONCERN
            Alert.objects.bulk_create(
                Alert(
                    recipient=recipient,
                    kind=kind,
                    concern=concern,
                    created_at=raised_at,
                    seen_at=None if stage == "new" else held_at,  # a lead has dealt with it
                )
                for recipient in leads
                if recipient.pk != raiser.pk
            )
            if stage == "new":
                continue
            discussion = Discussion(
                concern=concern,
                participants=f"{lead.get_full_name()} (designated lead), {raiser.get_full_name()}",
                senior_manager=lead,
                held_at=held_at,
                decision=Discussion.Decision.NO_FURTHER_ACTION
                if stage == "closed"
                else Discussion.Decision.SOCIAL_CARE,
                notes="Went through what was said and what we know of the family.",
                recorded_by=lead,
                recorded_at=held_at,
            )
            discussion.use_household_key(concern.household_key())
            discussion.save()
            if stage != "referred":
                continue
            made_at = held_at + timedelta(hours=1)
            shared = "What the child said, when and to whom; the family's details."
            disclosure = Disclosure(
                case=case,
                what=shared,
                recipient=Recipient.SOCIAL_CARE,
                organisation="Children's social care",
                disclosed_at=made_at,
                how=Disclosure.How.PHONE,
                basis=Disclosure.Basis.CHILD_PROTECTION,
                disclosed_by=lead,
                recorded_at=made_at,
            )
            disclosure.use_household_key(plan.key)
            disclosure.save()
            referral = ExternalReferral(
                concern=concern,
                agency=ExternalReferral.Agency.SOCIAL_CARE,
                made_at=made_at,
                person_spoken_to="Duty social worker, children's services front door",
                their_reference=f"CSC-{self.rng.randrange(100000, 1000000)}",
                what_was_shared=shared,
                disclosure=disclosure,
                made_by=lead,
                recorded_at=made_at,
            )
            referral.use_household_key(concern.household_key())
            referral.save()

    def make_referrals(self, index: int, count: int) -> None:
        """Referrals from schools, health visitors and others (R4): most parents agreed within
        days, a few declined or could not be reached (their details destroyed), the latest wait."""
        rng, service = self.rng, self.services[index]
        staff = self.nng_staff[index]
        organisations = [
            "Primary School",
            "Academy",
            "Health Visiting Team",
            "Children's Centre",
            "GP Surgery",
        ]
        closed = []
        for _ in range(count):
            received = self.office_time(self.history_start, self.now - timedelta(hours=2))
            by = rng.choice(staff)
            wait = rng.choices([0, 1, 2, 3, 5, 8, 14, 25], [10, 20, 20, 15, 12, 10, 8, 5])[0]
            answered = received + timedelta(days=wait, hours=rng.uniform(1, 6))
            outcome = "pending" if answered >= self.now else _weighted(rng, {"agreed": 82, "closed": 18})
            referral = Referral(
                service=service,
                referrer_organisation=f"{rng.choice(SCHOOL_NAMES)} {rng.choice(organisations)}",
                referrer_name=f"{self.fake.first_name()} {self.fake.last_name()}",
                how=_weighted(rng, {"phone": 45, "email": 35, "form": 15, "letter": 5}),
                referred_at=received - timedelta(hours=rng.uniform(0, 30)),
                parent_first_name=self.fake.first_name_female(),
                parent_last_name=self.fake.last_name(),
                contact_by="phone",
                contact_detail=f"07700 900{rng.randrange(1000):03d}",
                received_by=by,
                received_at=received,
                status={"pending": "pending", "agreed": "converted", "closed": "closed"}[outcome],
            )
            if outcome == "agreed":
                referral.consent_method, referral.consent_at, referral.consent_by = "oral_phone", answered, by
            elif outcome == "closed":
                referral.closed_because = rng.choice(["declined", "unreachable"])
                referral.closed_at, referral.closed_by = answered, by
            referral.save()
            if outcome == "closed":
                closed.append(referral.pk)
        # As consent.services.close_referral leaves them: no personal data, no key.
        Referral.objects.filter(pk__in=closed).update(
            referrer_organisation="", referrer_name="", parent_first_name="", parent_last_name="",
            contact_detail="", data_key="",
        )  # fmt: skip
        self.count("referrals", count)

    def make_nng_contact(self, index: int) -> None:
        rng = self.rng
        topics, outcomes = self.topics[index], self.outcomes[index]
        at = self.office_time(self.history_start, self.now - timedelta(minutes=1))
        channel = _weighted(rng, NNG_CHANNELS)
        minutes = self.duration(channel, short=True)
        chosen = rng.sample(list(topics), rng.choices([1, 2], [75, 25])[0])
        self.add_contact(
            Contact(
                service_id=self.services[index].pk,
                case_id=None,
                occurred_at=at,
                channel=channel,
                direction="in" if rng.random() < 0.9 else "out",
                person=_weighted(rng, NNG_PERSONS),
                duration_minutes=minutes,
                outcome_id=outcomes[_weighted(rng, NNG_OUTCOMES)],
                logged_by_id=rng.choice(self.nng_staff[index]).pk,
                logged_at=min(self.now, at + timedelta(minutes=minutes + rng.randint(0, 60))),
            ),
            [topics[name] for name in chosen],
        )

    def special_time(self, plan: _CasePlan) -> datetime:
        """When the demo caseworker's case was last in touch, so that their dashboard has
        contacts today and follow-ups due today, overdue and later this week."""
        rng, now = self.rng, self.now
        if plan.special == "today":
            # Since the start of the working day, or since midnight for an early riser.
            start = datetime.combine(self.today, time(8, 30), tzinfo=self.tz)
            if now - start < timedelta(minutes=10):
                start = datetime.combine(self.today, time(), tzinfo=self.tz)
            start = start.astimezone(UTC)
            return start + (now - timedelta(seconds=30) - start) * rng.random()
        back = {"due_today": (2, 6), "overdue": (6, 15), "this_week": (1, 7)}[plan.special]
        day = self.today - timedelta(days=rng.randint(*back))
        day -= timedelta(days=max(0, day.weekday() - 4))  # a weekday
        moment = datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60)), tzinfo=self.tz)
        return moment.astimezone(UTC)

    def duration(self, channel: str, short: bool = False) -> int:
        low, high = DURATIONS[channel]
        if short:
            high = max(low + 1, high // 2)
        # Skewed towards the short end: most calls are quick, some are long.
        return max(1, min(720, round(low + (high - low) * self.rng.random() ** 2)))

    def note(self, words: dict, channel: str, direction: str, topic: str) -> str:
        rng = self.rng
        abouts, details, actions = NOTES.get(topic, NOTES["SEN support"])
        opener = rng.choice(OPENERS[(channel, direction)])
        text = f"{opener} about {rng.choice(abouts)}; {rng.choice(details)}. {rng.choice(actions)}."
        return text.format(**words)

    def office_time(self, start: datetime, end: datetime) -> datetime:
        """A moment between ``start`` and ``end``, usually in office hours on a weekday."""
        # Arithmetic in UTC: adding days to a local time across a clock change lands an hour out.
        rng, start, end = self.rng, start.astimezone(UTC), end.astimezone(UTC)
        moment = start
        for _ in range(8):
            moment = start + (end - start) * rng.random()
            local = moment.astimezone(self.tz)
            if local.weekday() >= 5 and rng.random() >= 0.2:  # few contacts at weekends
                continue
            if rng.random() > SEASON[local.month]:
                continue
            hour = rng.randint(9, 16) if rng.random() < 0.93 else rng.randint(17, 20)  # some in the evening
            local = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
            local = local.astimezone(UTC)
            if start <= local <= end:
                return local
        return moment


def _weekdays(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5] or days


def _next_weekday(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))
