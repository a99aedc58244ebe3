"""The least any Python client can take to load pgbench's counts: the floor under seedbed's line.

``python bench/pgfloor.py S URL``, on the tables and keys ``pgbench -i -I dtpf -s S`` made:
in one transaction it drops the keys of the tables it fills, inserts S branches and 10 S
tellers, sends the 100,000 S accounts by binary COPY - rows laid out by numpy, nothing
generated, checked or planned - and builds every key again, as seedbed's run does. It
imports only numpy and psycopg. What seedbed takes beyond it is its own work (planning,
generation, checks); what this takes beyond ``pgbench -i`` is a Python process's.
"""

from __future__ import annotations

import sys

import numpy as np
import psycopg

CHUNK = 100_000
# history's keys point at the others, so they go first and come back last
HISTORY_FKS = (("aid", "pgbench_accounts"), ("bid", "pgbench_branches"), ("tid", "pgbench_tellers"))
FILLED = (("pgbench_tellers", "tid"), ("pgbench_accounts", "aid"))
ROW = np.dtype(
    [("fields", ">i2"), ("n1", ">i4"), ("aid", ">i4"), ("n2", ">i4"), ("bid", ">i4"), ("n3", ">i4"), ("bal", ">i4"),
     ("n4", ">i4")]  # filler: an empty value, blank-padded by the server as pgbench's text is
)  # fmt: skip


def accounts(n: int):
    """Binary COPY of accounts 1..n: aid, its branch, a zero balance, an empty filler."""
    yield b"PGCOPY\n\xff\r\n\x00" + bytes(8)
    for lo in range(0, n, CHUNK):
        rows = np.zeros(min(CHUNK, n - lo), ROW)
        rows["fields"], rows["n1"], rows["n2"], rows["n3"] = 4, 4, 4, 4
        rows["aid"] = np.arange(lo + 1, lo + 1 + len(rows))
        rows["bid"] = (rows["aid"] - 1) // 100_000 + 1
        yield rows.tobytes()
    yield b"\xff\xff"


def main(scale: int, url: str) -> None:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for col, _ in HISTORY_FKS:
            cur.execute(f"ALTER TABLE pgbench_history DROP CONSTRAINT pgbench_history_{col}_fkey")
        for table, _ in FILLED:
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_bid_fkey")
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
        cur.execute("INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, %s) g", (scale,))
        cur.execute(
            "INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(1, %s) g", (10 * scale,)
        )
        with cur.copy("COPY pgbench_accounts (aid, bid, abalance, filler) FROM STDIN (FORMAT binary)") as copy:
            for part in accounts(100_000 * scale):
                copy.write(part)
        for table, key in FILLED:
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
            cur.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_bid_fkey FOREIGN KEY (bid) REFERENCES pgbench_branches"
            )
        for col, parent in HISTORY_FKS:
            cur.execute(f"ALTER TABLE pgbench_history ADD CONSTRAINT pgbench_history_{col}_fkey "
                        f"FOREIGN KEY ({col}) REFERENCES {parent}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
