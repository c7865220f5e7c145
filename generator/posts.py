"""Public-welfare posts (乡村公益性岗位台账): who holds which post, from when to when.

A roster person whose work is a 公益性岗位 (``population._simulate_work``) holds the post
its spell names, from the spell's first month to its last: the 人社 ledger and the posts'
ledger describe one job. Beside them a few low-income persons outside the roster hold
posts too (人员类别 低保对象 or 其他农村低收入人口), taken from welfare's ``others`` who are
in care all year (so they pass X07). The ledger is a snapshot of the month: every post held
at some time in it, a leaver with the 离岗日期 of the month they left.

Planted (``plant``): a person listed in two posts at once for two months (X07); a post
holder neither in the roster nor in care, listed for a couple of months (X07); a post
holder who died, still 在岗 the month of their death and closed a month late (X20, with
the insurance bureau's 死亡); a post row repeated (U01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .population import (
    POST_ALLOWANCE,
    County,
    Person,
    household_outside,
    month_end,
    month_start,
    post_of,
)
from .records import Record, person_place, protect, repeat
from .schedule import N_PERIODS

NAME = "posts"
DEPARTMENTS = {
    "乡村公益岗": "人社局",
    "护林员": "林业局",
    "护河员": "水利局",
    "光伏公益岗": "发改局",
}
OUTSIDE_SHARE = 0.04  # posts held by low-income persons outside the roster
RATES = {"public_jobs_twice": 0.0006}


@dataclass(eq=False)
class Post:
    holder: Person
    kind: str  # 岗位类别
    start: dt.date  # 上岗日期
    end: dt.date | None  # 离岗日期 (None: still in post at the year's end)
    category: str | None = None  # 人员类别 when fixed (outside the roster); else the household's
    listed_until: int | None = None  # the last month it is listed (a planted row removed)

    def held_during(self, year: int, index: int) -> bool:
        """In post at some time in month ``index``: listed in that month's ledger."""
        return self.start <= month_end(year, index) and (
            self.end is None or self.end >= month_start(year, index)
        )


@dataclass
class Posts:
    posts: list[Post] = field(default_factory=list)
    open_after_death: set[int] = field(default_factory=set)  # id(post): 离岗 recorded late


def _day(p: Person, month_first: dt.date, salt: int = 0) -> dt.date:
    """A stable day of the month for a person's date (no randomness at write time)."""
    return month_first + dt.timedelta(days=(int(p.id_number[10:16]) + salt) % 28)


def simulate(county: County, stream) -> None:
    rng = stream("posts")
    year = county.year
    posts: list[Post] = []
    for p in county.persons:
        index = 0
        while index < N_PERIODS:
            spell = p.work[index]
            if spell is None or spell.form != "公益性岗位":
                index += 1
                continue
            last = index
            while last + 1 < N_PERIODS and p.work[last + 1] is spell:
                last += 1
            end = None
            if last + 1 < N_PERIODS:  # left during the next month (or died then)
                gone = last + 1
                end = p.died if p.died_index == gone else _day(p, month_start(year, gone), 7)
            # a household newly on the roster: its member's post is listed from then, as
            # the 人社 ledger lists the work (else public_jobs would name a 脱贫户 the roster
            # does not have yet)
            started = spell.started
            if p.household.first_period > 0:
                started = max(started, month_start(year, p.household.first_period))
            posts.append(Post(p, post_of(spell), _day(p, started), end))
            index = last + 1
    welfare = county.world.get("welfare")
    if welfare is not None:
        n = round(OUTSIDE_SHARE * len(posts))
        cared = [
            p
            for hh in welfare.others
            for p in hh.members
            if 18 <= p.age <= 64
            and p.ability != "无劳动能力"
            and all(welfare.in_care(p, i, _ALL_CARE) for i in range(N_PERIODS))
        ]
        cared.sort(key=lambda p: p.id_number)
        for p in rng.sample(cared, min(n, len(cared))):
            kind = rng.choices(("乡村公益岗", "护林员", "护河员", "光伏公益岗"), (6, 1, 4, 4))[0]
            started = dt.date(year - rng.randint(1, 3), rng.randint(1, 12), 1)
            category = "低保对象" if welfare.in_care(p, 0, ("低保",)) else "其他农村低收入人口"
            posts.append(Post(p, kind, _day(p, started), None, category))
    posts.sort(key=lambda post: (post.holder.household.village.code, post.holder.id_number))
    county.world[NAME] = Posts(posts)


_ALL_CARE = ("低保", "特困供养", "临时救助", "困难残疾人生活补贴", "重度残疾人护理补贴")


def public_jobs(county: County, index: int) -> list[Record]:
    world: Posts = county.world[NAME]
    year = county.year
    rows = []
    for post in world.posts:
        if not post.held_during(year, index):
            if not (id(post) in world.open_after_death and post.holder.died_index == index - 1):
                continue
        if post.listed_until is not None and index > post.listed_until:
            continue
        p = post.holder
        end = post.end
        if id(post) in world.open_after_death and p.died_index == index:
            end = None  # the death is not recorded yet: still 在岗
        rows.append(
            Record(
                {
                    **person_place(p),
                    "岗位类别": post.kind,
                    "主管部门": DEPARTMENTS[post.kind],
                    "人员类别": post.category or p.household.kind_at(index),
                    "上岗日期": post.start,
                    "离岗日期": end,
                    "月补贴": Decimal(POST_ALLOWANCE[post.kind]).quantize(Decimal("0.01")),
                },
                p,
                subject=post,
            )
        )
    protect(county, rows, index)
    return repeat(county, "public_jobs", index, rows, lambda r: r.subject)


LEDGERS = {"public_jobs": public_jobs}


# --------------------------------------------------------------------------- planted


def plant(pl) -> None:
    county, rng = pl.county, pl.rng
    world: Posts = county.world[NAME]
    year = county.year
    months = [i for i in pl.months("public_jobs", "roster", "assistance") if i < N_PERIODS - 1]

    def in_post(post: Post, i: int) -> bool:
        return post.start <= month_end(year, i) and (
            post.end is None or post.end > month_end(year, i)
        )

    # 一人多岗: a roster holder also listed in a second post for two months.
    i = rng.choice(months)
    holders = [
        post
        for post in world.posts
        if post.category is None and in_post(post, i) and in_post(post, i + 1)
    ]
    (post,) = pl.pick(holders, 1, i, person=lambda x: x.holder)
    pl.protect(post.holder, i + 1)
    other = rng.choice([k for k in DEPARTMENTS if k != post.kind])
    second = Post(
        post.holder,
        other,
        _day(post.holder, month_start(year, i), 3),
        _day(post.holder, month_start(year, i + 2), 5) if i + 2 < N_PERIODS else None,
    )
    second.listed_until = i + 2
    world.posts.append(second)

    # A holder neither in the roster nor in care: listed for two months, then removed.
    i = rng.choice(months)
    village = rng.choice(county.gazetteer.villages)
    while True:
        hh = household_outside(county, rng, village, f"{village.code}7001")
        able = [p for p in hh.members if 18 <= p.age <= 59]
        if able:
            break
    stranger = Post(
        able[0], "乡村公益岗", _day(able[0], month_start(year, i)), None, "其他农村低收入人口"
    )
    stranger.listed_until = i + 1
    world.posts.append(stranger)
    pl.protect(able[0], i)
    pl.protect(able[0], i + 1)

    # The holder who died (population: a post holder's death): still 在岗 that month.
    for post in world.posts:
        p = post.holder
        if p.died_index is not None and post.end == p.died and p.died_index in months:
            world.open_after_death.add(id(post))
            pl.protect(p, p.died_index)
            pl.protect(p, p.died_index + 1)

    # A post's row repeated in the month's ledger.
    sizes = {i: sum(post.held_during(year, i) for post in world.posts) for i in months}
    for i, n in pl.counts(RATES["public_jobs_twice"], sizes.__getitem__, months).items():
        if n:
            pool = [post for post in world.posts if post.category is None and in_post(post, i)]
            chosen = pl.pick(pool, n, i, person=lambda x: x.holder)
            county.defects.repeated.setdefault(("public_jobs", i), []).extend(chosen)
    world.posts.sort(key=lambda post: (post.holder.household.village.code, post.holder.id_number))
