"""Members as the seeds describe them (issue 20): the staff login a member works the till or the intake desk with,
their skills and the services they offer, their details edited with a history, a lost card reissued, and service
entered once however often the form is sent.

- A staff login is linked to at most one member, and a member to at most one login, so a shift closed at the till
  or the intake desk goes into the right passbook (pos/shifts.py). Only an open member is linked.
- Skills are a few free-text tags (理发, 维修水电), found by `members_with_skill`: a wish that needs a haircut finds
  who cuts hair.
- A member's details change only through `edit_member`, which keeps each change (field, from, to, who, when) in
  member_change: nothing is overwritten silently. Erasure (passbook.erase_member) blanks those values too.
- A lost card is reissued with a new code; the old one is kept in replaced_card, and the till refuses it, saying the
  card was replaced (passbook.member_for_till).
- `record_service_once` is passbook.record_service behind an idempotency key (shop.idempotency.once): a double click
  on the service form records one service.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from lovebank import passbook
from lovebank.errors import LoveBankError
from lovebank.passbook import MemberInfo, ServiceInfo
from lovebank.tables import Member, MemberChange, MemberSkill, ReplacedCard, ServiceEntry, StaffMember
from shop.database import as_time, run, writing
from shop.errors import DomainError, ShopError
from shop.idempotency import check_key, once
from shop.people import _like_literal, normalize_phone
from shop.settings import ServiceType
from shop.tables import Staff

MAX_SKILLS = 10
MAX_SKILL_LENGTH = 20
SKILLS_SEPARATOR = "、"  # how a list of skills is written in one line (member_change, the page's field)


# --- a staff login linked to a member ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffLink:
    staff_id: int
    username: str
    member_id: int
    member_number: str
    member_name: str


async def _staff_of(shop_id: int | None, username: str) -> dict:
    query = Staff.select(Staff.id, Staff.username).where(Staff.username == (username or "").strip().lower())
    if shop_id is not None:
        query = query.where(Staff.shop == shop_id)
    row = await query.first()
    if row is None:
        raise DomainError(ShopError.NOT_FOUND)
    return row


async def link_staff(*, username: str, member: str, by: int | None, shop_id: int | None = None) -> StaffLink:
    """Link the login `username` (of `shop_id`, any shop when None: the command line) to the member with this number
    or card code. Refused when the login has a member already ("staff-already-linked"), when the member is another
    login's ("member-already-linked"), or closed ("member-closed")."""
    staff = await _staff_of(shop_id, username)
    found = await passbook.member_for_till(code=member)  # unknown, closed or a replaced card: refused here
    db = StaffMember._meta.db
    try:
        async with writing(db):
            await passbook._lock_open_members([found.id])  # not closed between the look-up and the link
            await _refuse_taken(staff["id"], found.id)
            await StaffMember.insert(StaffMember(staff=staff["id"], member=found.id, linked_by=by,
                                                 linked_at=datetime.now(UTC)))
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        await _refuse_taken(staff["id"], found.id)  # linked from another screen at the same moment
        raise
    return StaffLink(staff_id=staff["id"], username=staff["username"], member_id=found.id, member_number=found.number,
                     member_name=found.name)


async def _refuse_taken(staff_id: int, member_id: int) -> None:
    rows = await run(StaffMember._meta.db, "SELECT l.staff, l.member, m.number, s.username FROM staff_member l "
                     "JOIN member m ON m.id = l.member JOIN staff s ON s.id = l.staff "
                     "WHERE l.staff = $1 OR l.member = $2", staff_id, member_id)
    for row in rows:
        if row["staff"] == staff_id:
            raise DomainError(LoveBankError.STAFF_LINKED, username=row["username"], number=row["number"])
        raise DomainError(LoveBankError.MEMBER_LINKED, username=row["username"], number=row["number"])


async def unlink_staff(*, username: str, shop_id: int | None = None) -> None:
    """The login's member unlinked ("staff-not-linked" when it has none): its shifts no longer go into a passbook."""
    staff = await _staff_of(shop_id, username)
    async with writing(StaffMember._meta.db):
        rows = await run(StaffMember._meta.db, "DELETE FROM staff_member WHERE staff = $1 RETURNING id", staff["id"])
    if not rows:
        raise DomainError(LoveBankError.NOT_LINKED, username=staff["username"])


async def member_of_staff(*, staff_id: int) -> int | None:
    """The id of the member a login is linked to, or None."""
    row = await StaffMember.select(StaffMember.member).where(StaffMember.staff == staff_id).first()
    return row["member"] if row else None


async def links(*, shop_id: int) -> dict[int, StaffLink]:
    """The shop's logins that are linked to a member, by staff id (the staff page)."""
    rows = await run(StaffMember._meta.db, "SELECT l.staff, s.username, l.member, m.number, m.name FROM staff_member l "
                     "JOIN staff s ON s.id = l.staff JOIN member m ON m.id = l.member WHERE s.shop = $1", shop_id)
    return {row["staff"]: StaffLink(staff_id=row["staff"], username=row["username"], member_id=row["member"],
                                    member_number=row["number"], member_name=row["name"]) for row in rows}


# --- skills ------------------------------------------------------------------------------------------------------

def clean_skills(skills: Sequence[str]) -> tuple[str, ...]:
    """Skills as kept: each trimmed, spaces collapsed, at most 20 characters, duplicates and blanks dropped, at most
    ten; a single entry holding several ("理发、维修水电", "理发, 维修水电") is split."""
    found: list[str] = []
    for entry in skills:
        for part in str(entry).replace(",", SKILLS_SEPARATOR).replace("，", SKILLS_SEPARATOR).split(SKILLS_SEPARATOR):
            skill = " ".join(part.split())
            if not skill:
                continue
            if len(skill) > MAX_SKILL_LENGTH:
                raise DomainError(LoveBankError.BAD_SKILL, skill=skill[:MAX_SKILL_LENGTH], maximum=MAX_SKILL_LENGTH)
            if skill not in found:
                found.append(skill)
    if len(found) > MAX_SKILLS:
        raise DomainError(LoveBankError.TOO_MANY_SKILLS, maximum=MAX_SKILLS)
    return tuple(found)


async def skills_of(member_id: int) -> list[str]:
    rows = await MemberSkill.select(MemberSkill.skill).where(MemberSkill.member == member_id).order_by(MemberSkill.id)
    return [row["skill"] for row in rows]


async def members_with_skill(text: str) -> list[MemberInfo]:
    """The open members of the district offering a skill that contains `text` ("维修" finds 维修水电), by number."""
    text = " ".join((text or "").split())[:MAX_SKILL_LENGTH]
    if not text:
        return []
    rows = await run(MemberSkill._meta.db, "SELECT DISTINCT s.member FROM member_skill s JOIN member m ON m.id = s.member "
                     "WHERE m.status = 'open' AND s.skill LIKE $1 ESCAPE '\\' ORDER BY s.member LIMIT $2",
                     f"%{_like_literal(text)}%", passbook.MAX_FOUND)
    return [await passbook.member_by_id(member_id=row["member"]) for row in rows]


# --- details, edited with their history ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DetailChange:
    field: str
    old_value: str
    new_value: str
    changed_by: str  # the display name of who changed it
    changed_at: datetime


async def edit_member(*, member_id: int, staff_id: int, name: str, phone: str, notes: str, may_contact: bool,
                      skills: Sequence[str]) -> MemberInfo:
    """A coordinator corrects an open member's details and skills; each field that changes is kept in member_change
    (from what, to what, who, when) in the same transaction."""
    name = passbook._clean_name(name)
    digits = normalize_phone(phone)
    notes = passbook._clean_notes(notes)
    skills = clean_skills(skills)
    db = Member._meta.db
    async with writing(db):
        await passbook._lock_open_members([member_id])
        member = await passbook.member_by_id(member_id=member_id)
        before = {"name": member.name, "phone": member.phone, "notes": member.notes,
                  "may_contact": "1" if member.may_contact else "0",
                  "skills": SKILLS_SEPARATOR.join(await skills_of(member_id))}
        after = {"name": name, "phone": digits, "notes": notes, "may_contact": "1" if may_contact and digits else "0",
                 "skills": SKILLS_SEPARATOR.join(skills)}
        changed = [field for field in before if before[field] != after[field]]
        if not changed:
            return member
        now = datetime.now(UTC)
        await Member.update({Member.name: name, Member.phone: digits, Member.notes: notes,
                             Member.may_contact: after["may_contact"] == "1"}).where(Member.id == member_id)
        if "skills" in changed:
            await MemberSkill.delete().where(MemberSkill.member == member_id)
            if skills:
                await MemberSkill.insert(*[MemberSkill(member=member_id, skill=skill) for skill in skills])
        await MemberChange.insert(*[MemberChange(member=member_id, field=field, old_value=before[field],
                                                 new_value=after[field], changed_by=staff_id, changed_at=now)
                                    for field in changed])
    return await passbook.member_by_id(member_id=member_id)


async def changes_of(member_id: int) -> list[DetailChange]:
    """The changes of a member's details and card, newest first."""
    rows = await run(MemberChange._meta.db, "SELECT c.field, c.old_value, c.new_value, s.display_name, c.changed_at "
                     "FROM member_change c LEFT JOIN staff s ON s.id = c.changed_by WHERE c.member = $1 "
                     "ORDER BY c.id DESC LIMIT 200", member_id)
    return [DetailChange(field=row["field"], old_value=row["old_value"], new_value=row["new_value"],
                         changed_by=row["display_name"] or "", changed_at=as_time(row["changed_at"])) for row in rows]


# --- a lost card reissued -----------------------------------------------------------------------------------------

async def reissue_card(*, member_id: int, staff_id: int) -> MemberInfo:
    """A new card code for an open member whose card was lost; the old code is kept as replaced (the till refuses
    it) and the change is in member_change. The caller prints the new card (pos/paper.py print_member_card)."""
    db = Member._meta.db
    async with writing(db):
        await passbook._lock_open_members([member_id])
        old = (await passbook.member_by_id(member_id=member_id)).card_code
        new = passbook.new_card_code()
        now = datetime.now(UTC)
        await Member.update({Member.card_code: new}).where(Member.id == member_id)
        await ReplacedCard.insert(ReplacedCard(member=member_id, card_code=old, replaced_by=staff_id, replaced_at=now))
        await MemberChange.insert(MemberChange(member=member_id, field="card_code", old_value=old, new_value=new,
                                               changed_by=staff_id, changed_at=now))
    return await passbook.member_by_id(member_id=member_id)


# --- service entered once -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EnteredService:
    record: ServiceInfo
    replayed: bool = False  # the same key again: the first record, nothing written


def _digest(**request: object) -> str:
    text = json.dumps({k: str(v) for k, v in request.items()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


async def record_service_once(*, idempotency_key: str, shop_id: int, member_id: int, served_on: date, start_time: str,
                              place: str, content: str, service_type: str, half_hours: int, witness: str,
                              staff_id: int, today: date, types: Sequence[ServiceType],
                              max_hours: int) -> EnteredService:
    """passbook.record_service, once per key: the same key and the same service give back the first record and
    write nothing; the same key with another service is refused ("service-key-reused", 409)."""
    key = check_key(idempotency_key)
    digest = _digest(member_id=member_id, served_on=served_on, start_time=start_time, place=place, content=content,
                     service_type=service_type, half_hours=half_hours, witness=witness)

    async def write() -> EnteredService:
        record = await passbook.record_service(
            shop_id=shop_id, member_id=member_id, served_on=served_on, start_time=start_time, place=place,
            content=content, service_type=service_type, half_hours=half_hours, witness=witness, staff_id=staff_id,
            today=today, types=types, max_hours=max_hours)
        await ServiceEntry.insert(ServiceEntry(shop=shop_id, idempotency_key=key, request_digest=digest,
                                               service=record.id))
        return EnteredService(record)

    async def first(entry_id: int) -> EnteredService:
        row = await ServiceEntry.select(ServiceEntry.service).where(ServiceEntry.id == entry_id).first()
        return EnteredService(await passbook.service_by_id(shop_id=shop_id, record_id=row["service"]))

    return await once(write, table=ServiceEntry, digest_column=ServiceEntry.request_digest, shop_id=shop_id, key=key,
                      digest=digest, first=first, reused=LoveBankError.SERVICE_KEY_REUSED, number=str)


# --- the checks verify() runs ---------------------------------------------------------------------------------------

_CHECKS = {
    "staff login linked to a member closed before the link": """
        SELECT l.id AS what FROM staff_member l JOIN member m ON m.id = l.member
        WHERE m.closed_at IS NOT NULL AND m.closed_at < l.linked_at""",
    "member card whose code was replaced": """
        SELECT m.number AS what FROM member m JOIN replaced_card r ON r.card_code = m.card_code""",
    "card reissued without its old code recorded as replaced": """
        SELECT c.id AS what FROM member_change c WHERE c.field = 'card_code' AND NOT EXISTS (
            SELECT 1 FROM replaced_card r WHERE r.member = c.member AND r.card_code = c.old_value)""",
}


async def members_problems() -> list[str]:
    """What is wrong with the links, cards and member details (an empty list when all holds)."""
    return [f"{problem}: {row['what']}" for problem, statement in _CHECKS.items()
            for row in await run(Member._meta.db, statement)]
