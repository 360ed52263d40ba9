"""An RPZ zone built from the takedown list, and the names to ask about it.

Each listed domain gets one shape, in a fixed pseudo-random way: an exact owner (`d CNAME .`,
NXDOMAIN), a wildcard owner only (`*.d CNAME .`, below d but not d), both, NODATA (`d CNAME *.`),
local data (`d A 198.51.100.N`) or passthru (`d CNAME rpz-passthru.`). The query names cover
every case: listed names, subdomains of exact-only and of wildcard owners, apexes of
wildcard-only owners, passthru and NODATA names, local-data names, and benign names.
unbound_stops_early() names the one deliberate difference from Unbound (see the README).
"""
import random

ORIGIN = "rpz.e2e.test."
LOCAL_PREFIX = "198.51.100."


def build(takedown_names, benign_names, query_count, seed=6):
    rng = random.Random(seed)
    records, queries = [], []
    shapes = {}
    for name in takedown_names:
        r = rng.random()
        shape = ("exact" if r < 0.45 else "wildcard" if r < 0.65 else "both" if r < 0.75 else
                 "nodata" if r < 0.85 else "local" if r < 0.93 else "passthru")
        shapes[name] = shape
        if shape in ("exact", "both"):
            records.append(f"{name} CNAME .")
        if shape in ("wildcard", "both"):
            records.append(f"*.{name} CNAME .")
        if shape == "nodata":
            records.append(f"{name} CNAME *.")
        if shape == "local":
            records.append(f"{name} A {LOCAL_PREFIX}{rng.randint(1, 254)}")
        if shape == "passthru":
            records.append(f"{name} CNAME rpz-passthru.")
    listed = list(shapes)
    rng.shuffle(listed)
    per_kind = query_count // 5
    for name in listed[:per_kind]:
        queries.append(name)                                   # the listed name itself
    for name in listed[per_kind:2 * per_kind]:
        queries.append(("www." if rng.random() < 0.5 else "a.b.") + name)  # below it
    wildcard_only = [n for n in listed if shapes[n] == "wildcard"]
    queries += wildcard_only[:per_kind // 2]                    # apexes of *.-only owners
    queries += [n for n in listed if shapes[n] in ("passthru", "nodata", "local")][:per_kind // 2]
    queries += benign_names[:query_count - len(queries)]
    zone = [f"$TTL 300", f"$ORIGIN {ORIGIN}",
            f"@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 300", "@ NS localhost."]
    # Owners are written fully qualified under the origin, as Unbound and our parser both read.
    zone += [f"{r.split(' ', 1)[0]}.{ORIGIN} 300 IN {r.split(' ', 1)[1]}" for r in records]
    return "\n".join(zone) + "\n", queries[:query_count], shapes


def unbound_stops_early(name, shapes):
    """True when Unbound's closest-encloser lookup and the RPZ rule "the most specific matching
    trigger wins" part ways for `name`: the closest listed ancestor has only exact-owner records
    (they do not cover names below it), so Unbound stops there and passes the name, while a
    wildcard owner further up does match it, and Takedown (like BIND) applies that one."""
    labels = name.split(".")
    ancestors = [".".join(labels[i:]) for i in range(1, len(labels))]
    listed = [a for a in ancestors if a in shapes]
    if not listed or shapes[listed[0]] in ("wildcard", "both"):
        return False
    return any(shapes[a] in ("wildcard", "both") for a in listed[1:])
