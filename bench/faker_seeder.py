"""A Faker-per-row seeder of the scale-seed schema: the way seed scripts are written today.

Each row is a Python tuple of Faker values; foreign keys point at ids kept in Python
lists; each table goes in through ``cursor.executemany`` of one INSERT (psycopg 3,
which pipelines executemany), one transaction per table. It creates the schema from
the recipe DDL first, as ``seedbed seed`` does, so both are timed end to end.

    python -m bench.faker_seeder --db postgresql://postgres@127.0.0.1:5432/x \\
        --counts counts.json --ddl schema.sql [--seed 123]

``counts.json`` maps each table to its row count (the harness writes seedbed's
planned counts, so both seeders make the same number of rows). Counts that the
unique constraints cannot hold are capped. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def slugify(s: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in s.lower()).split())


def seed_all(conn, fake, counts: dict[str, int], rng: random.Random) -> dict[str, int]:
    now = datetime.now(UTC)
    inserted: dict[str, int] = {}

    def insert(table: str, columns: list[str], rows: list[tuple]) -> None:
        marks = ", ".join(["%s"] * len(columns))
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        conn.commit()
        inserted[table] = len(rows)

    def between(a: datetime, b: datetime) -> datetime:
        if b <= a:
            return a
        return fake.date_time_between(start_date=a, end_date=b, tzinfo=UTC)

    # organizations
    orgs = []
    for _ in range(counts["organizations"]):
        orgs.append(
            (
                fake.uuid4(),
                fake.company(),
                "scale-seed",
                json.dumps({"scaleSeed": {"seed": "123", "scale": "bench"}}),
                fake.date_time_between(start_date="-900d", end_date="-800d", tzinfo=UTC),
            )
        )
    insert("organizations", ["id", "name", "slug", "plan_metadata", "created_at"], orgs)

    # users
    users = []
    for i in range(counts["users"]):
        name = fake.name()
        created = fake.date_time_between(start_date="-790d", end_date="-30d", tzinfo=UTC)
        last = between(created, now) if rng.random() > 0.1 else None
        users.append(
            (
                fake.uuid4(),
                f"{slugify(name)}.{i}@example.com",
                name,
                fake.job()[:120] if rng.random() > 0.15 else None,
                fake.timezone(),
                created,
                last,
            )
        )
    insert("users", ["id", "email", "full_name", "job_title", "timezone", "created_at", "last_login_at"], users)
    user_ids = [u[0] for u in users]

    # user_organizations: each user in one organization
    rows = []
    for u in users[: counts["user_organizations"]]:
        o = rng.choice(orgs)
        role = rng.choices(["owner", "admin", "member", "guest"], [2, 8, 80, 10])[0]
        rows.append((u[0], o[0], role, between(max(u[5], o[4]), now)))
    insert("user_organizations", ["user_id", "organization_id", "role", "joined_at"], rows)

    # workspaces
    workspaces = []
    for i in range(counts["workspaces"]):
        o = rng.choice(orgs)
        name = f"{fake.word().title()} {fake.word().title()}"
        workspaces.append(
            (fake.uuid4(), o[0], name, f"{slugify(name)}-{i + 1}", between(o[4], now - timedelta(days=600)))
        )
    insert("workspaces", ["id", "organization_id", "name", "slug", "created_at"], workspaces)

    # workspace_members: distinct (workspace, user)
    members = []
    for ws, u in distinct_pairs(rng, counts["workspace_members"], workspaces, users):
        role = rng.choices(["admin", "editor", "viewer"], [10, 60, 30])[0]
        hours = rng.choices([40, 32, 20, 0], [70, 15, 10, 5])[0]
        members.append((fake.uuid4(), ws[0], u[0], role, hours, between(max(ws[4], u[5]), now)))
    insert(
        "workspace_members", ["id", "workspace_id", "user_id", "role", "weekly_capacity_hours", "joined_at"], members
    )

    # workspace_member_capacity: consecutive weeks per member
    rows, weeks = [], defaultdict(int)
    for _ in range(counts["workspace_member_capacity"] if members else 0):
        m = rng.choice(members)
        k = weeks[m[0]]
        weeks[m[0]] += 1
        rows.append(
            (fake.uuid4(), m[0], date(2025, 5, 5) + timedelta(days=7 * k), m[4], round(m[4] * rng.uniform(0.3, 1.1), 1))
        )
    insert(
        "workspace_member_capacity",
        ["id", "workspace_member_id", "week_start", "capacity_hours", "allocated_hours"],
        rows,
    )

    # projects
    projects = []
    for i in range(counts["projects"]):
        ws = rng.choice(workspaces)
        start = fake.date_between(start_date="-540d", end_date="-60d")
        created = between(ws[4], datetime(start.year, start.month, start.day, tzinfo=UTC))
        status = rng.choices(["planned", "active", "on_hold", "completed", "archived"], [10, 55, 10, 20, 5])[0]
        budget = round(min(5000 * rng.paretovariate(1.3), 5_000_000), 2)
        projects.append(
            (
                fake.uuid4(),
                ws[0],
                fake.catch_phrase()[:200],
                f"{fake.word().upper()[:8]}-{i + 1}",
                status,
                budget,
                start,
                start + timedelta(days=rng.randint(60, 360)),
                created,
            )
        )
    insert(
        "projects",
        ["id", "workspace_id", "name", "code", "status", "budget", "start_date", "target_end_date", "created_at"],
        projects,
    )

    # earned_value_snapshots: a fortnightly series per project
    rows, seen = [], defaultdict(int)
    for _ in range(counts["earned_value_snapshots"]):
        p = rng.choice(projects)
        k = seen[p[0]]
        seen[p[0]] += 1
        pv = round(p[5] * rng.uniform(0.05, 0.9), 2)
        ev = round(pv * rng.uniform(0.6, 1.1), 2)
        rows.append((fake.uuid4(), p[0], p[6] + timedelta(days=14 * k), pv, ev, round(ev * rng.uniform(0.85, 1.3), 2)))
    insert(
        "earned_value_snapshots",
        ["id", "project_id", "snapshot_date", "planned_value", "earned_value", "actual_cost"],
        rows,
    )

    # schedule_baselines
    baselines, nth = [], defaultdict(int)
    for _ in range(counts["schedule_baselines"]):
        p = rng.choice(projects)
        nth[p[0]] += 1
        baselines.append((fake.uuid4(), p[0], f"Baseline {nth[p[0]]}", between(p[8], now)))
    insert("schedule_baselines", ["id", "project_id", "name", "captured_at"], baselines)

    # work_tasks: ranks 1.. per project
    tasks, rank = [], defaultdict(int)
    statuses = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
    for _ in range(counts["work_tasks"]):
        p = rng.choice(projects)
        rank[p[0]] += 1
        start = fake.date_between(start_date=p[6], end_date=now.date())
        status = rng.choices(statuses, [10, 20, 15, 5, 3, 42, 5])[0]
        start_dt = datetime(start.year, start.month, start.day, tzinfo=UTC)
        completed = between(start_dt + timedelta(days=1), now) if status == "done" else None
        tasks.append(
            (
                fake.uuid4(),
                p[0],
                rng.choice(user_ids) if rng.random() > 0.1 else None,
                fake.catch_phrase()[:300],
                status,
                rng.choices([1, 2, 3, 4], [10, 30, 45, 15])[0],
                rank[p[0]],
                round(rng.uniform(0.5, 40), 1) if rng.random() > 0.2 else None,
                start,
                start + timedelta(days=rng.randint(1, 28)),
                completed,
                between(p[8], start_dt),
            )
        )
    insert(
        "work_tasks",
        [
            "id",
            "project_id",
            "assignee_id",
            "title",
            "status",
            "priority",
            "rank",
            "estimate_hours",
            "start_date",
            "due_date",
            "completed_at",
            "created_at",
        ],
        tasks,
    )
    by_project = defaultdict(list)
    for t in tasks:
        by_project[t[1]].append(t)  # in rank order
    ws_of_project = {p[0]: p[1] for p in projects}

    # work_task_dependencies: distinct pairs of one project's tasks, lower rank first
    rows, pairs = [], set()
    pool = [ts for ts in by_project.values() if len(ts) > 1]
    room = sum(len(ts) * (len(ts) - 1) // 2 for ts in pool)
    for _ in range(min(counts["work_task_dependencies"], room)):
        while True:
            ts = rng.choice(pool)
            i, j = sorted(rng.sample(range(len(ts)), 2))
            if (ts[i][0], ts[j][0]) not in pairs:
                break
        pairs.add((ts[i][0], ts[j][0]))
        rows.append(
            (
                fake.uuid4(),
                ts[i][0],
                ts[j][0],
                rng.choices(["FS", "SS", "FF", "SF"], [85, 8, 5, 2])[0],
                rng.choices([0, 1, 2, 5], [80, 10, 5, 5])[0],
            )
        )
    insert(
        "work_task_dependencies",
        ["id", "predecessor_task_id", "successor_task_id", "dependency_type", "lag_days"],
        rows,
    )

    # schedule_baseline_items: distinct tasks of the baseline's project
    rows, pairs = [], set()
    usable = [b for b in baselines if by_project[b[1]]]
    room = sum(len(by_project[b[1]]) for b in usable)
    for _ in range(min(counts["schedule_baseline_items"], room)):
        while True:
            b = rng.choice(usable)
            t = rng.choice(by_project[b[1]])
            if (b[0], t[0]) not in pairs:
                break
        pairs.add((b[0], t[0]))
        rows.append((fake.uuid4(), b[0], t[0], t[8], t[9]))
    insert("schedule_baseline_items", ["id", "baseline_id", "task_id", "planned_start", "planned_finish"], rows)

    # attachments
    attachments = []
    for _ in range(counts["attachments"]):
        t = rng.choice(tasks)
        size = int(min(max(50_000 * 1000 ** rng.random(), 50_000), 50_000_000))
        status = rng.choices(["uploaded", "pending", "failed", "deleted"], [85, 7, 3, 5])[0]
        attachments.append(
            (
                fake.uuid4(),
                ws_of_project[t[1]],
                t[0],
                rng.choice(user_ids),
                fake.file_name(),
                fake.mime_type(),
                size,
                status,
                between(t[11], now),
            )
        )
    insert(
        "attachments",
        [
            "id",
            "workspace_id",
            "task_id",
            "uploaded_by",
            "file_name",
            "content_type",
            "size_bytes",
            "status",
            "created_at",
        ],
        attachments,
    )

    # workspace_storage_usage: totals of the attachments per workspace
    used, reserved = defaultdict(int), defaultdict(int)
    for a in attachments:
        if a[7] == "uploaded":
            used[a[1]] += a[6]
        elif a[7] == "pending":
            reserved[a[1]] += a[6]
    rows = [(ws[0], used[ws[0]], reserved[ws[0]], now) for ws in workspaces[: counts["workspace_storage_usage"]]]
    insert("workspace_storage_usage", ["workspace_id", "used_bytes", "reserved_bytes", "updated_at"], rows)

    # audit_events: about projects, tasks and attachments
    entities = {"project": projects, "work_task": tasks, "attachment": attachments}
    created_col = {"project": 8, "work_task": 11, "attachment": 8}
    actions = {
        "project": (["created", "updated", "archived"], [10, 70, 20]),
        "work_task": (["created", "updated", "status_changed", "assigned"], [15, 45, 30, 10]),
        "attachment": (["uploaded", "downloaded", "deleted"], [70, 25, 5]),
    }
    rows = []
    for i in range(counts["audit_events"]):
        kind = rng.choices(["project", "work_task", "attachment"], [10, 75, 15])[0]
        if not entities[kind]:
            kind = "project"
        e = rng.choice(entities[kind])
        names, weights = actions[kind]
        rows.append(
            (
                fake.uuid4(),
                rng.choice(user_ids),
                kind,
                e[0],
                rng.choices(names, weights)[0],
                between(e[created_col[kind]], now),
                fake.ipv4() if rng.random() > 0.2 else None,
                json.dumps({"client": fake.user_agent(), "source": "web", "request": str(i)}),
            )
        )
    insert(
        "audit_events",
        ["id", "actor_id", "entity_type", "entity_id", "action", "occurred_at", "ip_address", "details"],
        rows,
    )
    return inserted


def distinct_pairs(rng: random.Random, n: int, a: list, b: list) -> list[tuple]:
    """n distinct (x, y) with x from a, y from b (fewer if there are not that many)."""
    room = len(a) * len(b)
    n = min(n, room)
    if room <= 4 * n:
        every = [(x, y) for x in a for y in b]
        rng.shuffle(every)
        return every[:n]
    seen, out = set(), []
    while len(out) < n:
        i, j = rng.randrange(len(a)), rng.randrange(len(b))
        if (i, j) not in seen:
            seen.add((i, j))
            out.append((a[i], b[j]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.faker_seeder", description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="postgresql://user@host:port/db (an empty database)")
    ap.add_argument("--counts", required=True, help="JSON file: table -> rows")
    ap.add_argument("--ddl", required=True, help="the schema's DDL (PostgreSQL)")
    ap.add_argument("--seed", type=int, default=123)
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    import psycopg
    from faker import Faker

    counts = json.loads(Path(a.counts).read_text(encoding="utf-8"))
    Faker.seed(a.seed)
    fake = Faker("en_US")
    rng = random.Random(a.seed)
    with psycopg.connect(a.db) as conn:
        conn.execute(Path(a.ddl).read_text(encoding="utf-8"))
        conn.commit()
        inserted = seed_all(conn, fake, counts, rng)
    seconds = time.perf_counter() - t0
    total = sum(inserted.values())
    json.dump({"rows": total, "tables": inserted, "seconds": seconds, "rows_per_s": total / seconds}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
