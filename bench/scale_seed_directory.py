"""The benchmark population's organisations, people (with their two-factor devices) and the
community directory, written by COPY for the scale seeder."""

import datetime
import time
from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from community_services.models import (
    Capacity,
    Location,
    Postcode,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceSchedule,
    ServiceStatus,
)
from community_services.need_domains import NeedDomain
from referrals.models import (
    TeamCoverage,
)

from .scale_rows import (
    SCALE_EMAIL_DOMAIN,
    SCALE_PASSWORD,
    SCALE_TOTP_SECRET,
    SERVICE_WORDS,
    TOWNS,
)

if TYPE_CHECKING:
    from .scale_seed import ScaleSeeder


def organisations_and_users(seeder: "ScaleSeeder") -> None:
    c = seeder.counts
    orgs, users, memberships, authenticators = [], [], [], []
    password = make_password(SCALE_PASSWORD)
    secret = {"secret": encrypt(SCALE_TOTP_SECRET)}

    def org(name, kind, ods=""):
        pk = seeder._next_id(Organisation)
        orgs.append(
            {"id": pk, "public_id": seeder._uuid(), "name": name, "kind": kind, "ods_code": ods}
        )
        return pk

    def user(email, first, last, org_id, role, staff=False):
        pk = seeder._next_id(User)
        users.append(
            {
                "id": pk,
                "email": email,
                "first_name": first,
                "last_name": last,
                "password": password,
                "date_joined": seeder.now,
            }
        )
        memberships.append(
            {"id": seeder._next_id(Membership), "user_id": pk, "organisation_id": org_id}
            | {"role": role}
        )
        if staff:
            authenticators.append(
                {
                    "id": seeder._next_id(Authenticator),
                    "user_id": pk,
                    "type": Authenticator.Type.TOTP,
                    "data": secret,
                    "created_at": seeder.now,
                }
            )
        return pk

    seeder.practices = [
        org(f"Scale Practice {i:03d}", OrganisationKind.GP_PRACTICE, f"S{i:05d}")
        for i in range(c.practices)
    ]
    seeder.teams = [
        org(f"Scale Team {i + 1}", OrganisationKind.COORDINATOR_TEAM) for i in range(c.teams)
    ]
    directory = org("Scale Directory Team", OrganisationKind.DIRECTORY_TEAM)
    seeder.referrer_of = {
        practice: user(
            f"referrer{i:03d}@{SCALE_EMAIL_DOMAIN}",
            "Rae",
            f"Referrer {i}",
            practice,
            "referrer",
        )
        for i, practice in enumerate(seeder.practices)
    }
    seeder.coordinators_of = {team: [] for team in seeder.teams}
    for i in range(c.coordinators):
        team = seeder.teams[i % c.teams]
        seeder.coordinators_of[team].append(
            user(
                f"coordinator{i:02d}@{SCALE_EMAIL_DOMAIN}",
                "Cal",
                f"Coordinator {i}",
                team,
                Role.COORDINATOR,
                staff=True,
            )
        )
    for i, team in enumerate(seeder.teams):
        user(f"manager{i}@{SCALE_EMAIL_DOMAIN}", "Mo", f"Manager {i}", team, Role.MANAGER, True)
    seeder.vetter = user(f"vetter@{SCALE_EMAIL_DOMAIN}", "Val", "Vetter", directory, "vetter", True)
    # The reports' whole-service reader: a commissioner of every team (no second factor).
    seeder.commissioner_org = org("Scale Commissioning Board", OrganisationKind.COMMISSIONER)
    user(
        f"commissioner@{SCALE_EMAIL_DOMAIN}",
        "Cy",
        "Commissioner",
        seeder.commissioner_org,
        Role.COMMISSIONER,
    )
    seeder._write(Organisation, orgs)
    seeder._write(User, users)
    seeder._write(Membership, memberships)
    seeder._write(Authenticator, authenticators)
    Organisation.commissioned_teams.through.objects.bulk_create(
        Organisation.commissioned_teams.through(
            from_organisation_id=seeder.commissioner_org, to_organisation_id=team
        )
        for team in seeder.teams
    )
    seeder.team_of = {p: seeder.teams[i % c.teams] for i, p in enumerate(seeder.practices)}
    seeder._write(
        TeamCoverage,
        (
            {"id": seeder._next_id(TeamCoverage), "practice_id": p, "team_id": t}
            for p, t in seeder.team_of.items()
        ),
    )


def directory(seeder: "ScaleSeeder") -> None:
    c, rng = seeder.counts, seeder.rng
    providers = [seeder._next_id(Provider) for _ in range(c.providers)]
    seeder._write(
        Provider,
        (
            {
                "id": pk,
                "public_id": seeder._uuid(),
                "name": f"{rng.choice(TOWNS)} {rng.choice(SERVICE_WORDS).title()} Trust {i}",
                "description": "An invented community organisation.",
            }
            for i, pk in enumerate(providers)
        ),
    )
    services, domains, locations, schedules = [], [], [], []
    postcodes: dict[str, tuple[float, float]] = {}
    domain_codes = list(NeedDomain.values)
    today = timezone.localdate()
    for i in range(c.services):
        pk = seeder._next_id(Service)
        roll = rng.random()
        status = (
            ServiceStatus.APPROVED
            if roll < 0.85
            else rng.choice([ServiceStatus.DRAFT, ServiceStatus.SUBMITTED, "suspended"])
        )
        words = rng.sample(SERVICE_WORDS, 3)
        services.append(
            {
                "id": pk,
                "public_id": seeder._uuid(),
                "provider_id": providers[i % len(providers)],
                "name": f"{words[0].title()} {words[1]} group {i}",
                "description": f"A friendly {words[0]} and {words[2]} session in "
                f"{rng.choice(TOWNS)}, open to adults.",
                "is_free": rng.random() < 0.7,
                "delivered_in_person": rng.random() < 0.8,
                "delivered_by_phone": rng.random() < 0.3,
                "delivered_online": rng.random() < 0.3,
                "capacity": rng.choice(
                    [Capacity.ACCEPTING] * 8 + [Capacity.WAITING_LIST, Capacity.PAUSED]
                ),
                "status": status,
                "vetted_until": today + datetime.timedelta(days=rng.randint(20, 700))
                if status == ServiceStatus.APPROVED
                else None,
                "modified_at": seeder._ago(1, 400),
            }
        )
        for code in rng.sample(domain_codes, rng.randint(1, 3)):
            domains.append(
                {"id": seeder._next_id(ServiceNeedDomain), "service_id": pk, "domain": code}
            )
        postcode = f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}ZZ"
        latitude, longitude = round(rng.uniform(51, 54), 6), round(rng.uniform(-2.5, 0.5), 6)
        postcodes.setdefault(postcode, (latitude, longitude))
        locations.append(
            {
                "id": seeder._next_id(Location),
                "public_id": seeder._uuid(),
                "service_at_location_id": seeder._uuid(),
                "service_id": pk,
                "name": f"{rng.choice(TOWNS)} community centre",
                "address_1": f"{rng.randint(1, 200)} High Street",
                "city": rng.choice(TOWNS),
                "postcode": postcode,
                "latitude": latitude,
                "longitude": longitude,
            }
        )
        opens = rng.randint(9, 18)
        schedules.append(
            {
                "id": seeder._next_id(ServiceSchedule),
                "public_id": seeder._uuid(),
                "service_id": pk,
                "freq": "WEEKLY",
                "interval": rng.choice([1, 1, 2]),
                "byday": rng.choice(["MO", "TU", "WE", "TH", "FR", "TU,TH"]),
                "opens_at": datetime.time(opens),
                "closes_at": datetime.time(opens + 2),
            }
        )
    seeder._write(Service, services)
    seeder._write(ServiceNeedDomain, domains)
    seeder._write(Location, locations)
    seeder._write(ServiceSchedule, schedules)
    seeder._write(
        Postcode,
        (
            {"postcode": code, "latitude": lat, "longitude": lon}
            for code, (lat, lon) in sorted(postcodes.items())
        ),
    )
    started = time.monotonic()
    with connection.cursor() as cursor:
        # The same weighting as community_services.services._index_for_search.
        cursor.execute(
            """
            UPDATE community_services_service s
            SET search_vector =
                setweight(to_tsvector('english', coalesce(s.name, '')), 'A')
                || setweight(to_tsvector('english', coalesce(p.name, '')), 'B')
                || setweight(to_tsvector('english', coalesce(s.description, '')), 'C')
            FROM community_services_provider p
            WHERE p.id = s.provider_id AND s.id >= %s
            """,
            [services[0]["id"]],  # type: ignore[list-item]
        )
    seeder.report.add("service search vectors", len(services), time.monotonic() - started)
