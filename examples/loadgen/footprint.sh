#!/usr/bin/env bash
# What one call touches, counted exactly: runs examples/loadgen:footprint
# (-c opt) under Valgrind's Lackey, which prints every instruction fetch and
# data access, and prints per kind of call, for its typical call (of 20
# marked calls, each made as at the rates servers capture at: a capture
# with the SDK's queue empty, a log or a metric with earlier records
# waiting for their batch), the instructions it executed, how many of the 20
# took that path (the allocator takes a longer one now and then), and the
# distinct 64-byte cache lines and 4 KiB pages of code and of data it
# touched (medians over those calls). At those rates each call finds these
# out of the caches and the TLB, and its time follows their number
# (BENCHMARKS.md, "Where a sleeping caller's time goes"); unlike a timing
# on this VM, the count does not drift with the VM's speed.
#
# With BASE (a commit), the same is counted for that commit's SDK (built
# with this checkout's footprint program; build_base.sh) and printed first.
#
# The allocator's state, which differs from process to process, makes a
# call take one of a few paths (the range column shows how far apart), so
# each side runs RUNS processes (3 unless given) and prints, per kind, the
# process whose typical count is the median of theirs, and the range of the
# processes' typical counts.
#
#   examples/loadgen/footprint.sh [RUNS] [BASE]
#
# Installs valgrind (Debian package) when it is missing. Takes about two
# minutes per process.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
base="${2:-}"

if ! command -v valgrind >/dev/null; then
  apt-get install -y -qq valgrind >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
./bazelw build -c opt //examples/loadgen:footprint >/dev/null 2>&1
cp "$(./bazelw info -c opt bazel-bin 2>/dev/null)/examples/loadgen/footprint" \
  "${work}/this"
sides=(this)
if [[ -n "${base}" ]]; then
  source examples/loadgen/build_base.sh
  build_base_binary "${base}" footprint "${work}/base_bin"
  sides=(base this)
fi

# Reads Lackey's trace (with the program's own lines "marks: BEGIN END",
# "rounds: N" and "order: KIND...") and counts what each marked call
# touched: from its store to the begin mark to its store to the end mark.
count='
import collections, statistics, sys
begin = end = None
rounds, order, windows, current = 0, [], [], None
for line in sys.stdin:
    if line.startswith("marks: "):
        begin, end = (int(x, 16) for x in line.split()[1:3])
        continue
    if line.startswith("rounds: "):
        rounds = int(line.split()[1])
        continue
    if line.startswith("order: "):
        order = line.split()[1:]
        continue
    if len(line) < 4 or line[0] == "=":
        continue
    kind = line[1] if line[0] == " " else line[0]
    try:
        address, size = (int(x, 16) for x in line[3:].split(","))
    except ValueError:
        continue
    if kind == "S" and address == begin and current is None:
        current = {"i": 0, "cl": set(), "cp": set(), "dl": set(), "dp": set()}
        continue
    if kind == "S" and address == end and current is not None:
        windows.append(current)
        current = None
        continue
    if current is None:
        continue
    lines, pages = ("cl", "cp") if kind == "I" else ("dl", "dp")
    if kind == "I":
        current["i"] += 1
    for a in (address, address + size - 1):
        current[lines].add(a >> 6)
        current[pages].add(a >> 12)
if len(windows) != rounds * len(order):
    sys.exit(f"footprint: {len(windows)} marked calls, expected {rounds * len(order)}")
for k, name in enumerate(order):
    calls = windows[k * rounds:(k + 1) * rounds]
    # The typical call: the most common instruction count (the allocator
    # takes a longer path now and then), with how many calls took it.
    counts = collections.Counter(c["i"] for c in calls)
    typical = max(counts, key=lambda i: (counts[i], -i))
    calls = [c for c in calls if c["i"] == typical]
    cells = [typical, len(calls), rounds]
    for key in ("cl", "cp", "dl", "dp"):
        cells.append(int(statistics.median(len(c[key]) for c in calls)))
    print(name, *cells)
'

# Prints the table from the processes' rows ("SIDE KIND INSTRUCTIONS
# CALLS ROUNDS CODE_LINES CODE_PAGES DATA_LINES DATA_PAGES").
table='
import collections, sys
rows = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    side, kind, *cells = line.split()
    if (side, kind) not in rows:
        order.append((side, kind))
    rows[(side, kind)].append([int(c) for c in cells])
print("| side | call | instructions (range over processes) | calls on that path |"
      " code lines | code pages | data lines | data pages |")
print("|---|---|---|---|---|---|---|---|")
for key in order:
    runs = sorted(rows[key], key=lambda r: r[0])
    i, calls, rounds, *lines = runs[(len(runs) - 1) // 2]
    spread = f"{runs[0][0]}-{runs[-1][0]}" if runs[0][0] != runs[-1][0] else ""
    print(f"| {key[0]} | {key[1]} | {i}" + (f" ({spread})" if spread else "") +
          f" | {calls}/{rounds} | " + " | ".join(str(n) for n in lines) + " |")
'

for side in "${sides[@]}"; do
  binary="${work}/this"
  [[ "${side}" == base ]] && binary="${work}/base_bin"
  for _ in $(seq "${runs}"); do
    valgrind --tool=lackey --trace-mem=yes --log-fd=1 "${binary}" 2>/dev/null |
      /usr/bin/python3 -c "${count}" | sed "s/^/${side} /" >>"${work}/rows"
  done
done
/usr/bin/python3 -c "${table}" "${work}/rows"
