#!/usr/bin/env python3
"""Charts of the pipeline scaling results (run_scaling.py), drawn with gnuplot as PNG.

For each curve: takedownd's Mpps on one worker core (median, error bars min-max of the reps) and the
dpdk-testpmd io baseline measured with the same mix (dashed, its own min-max), each point labelled
with its median and its ratio to the baseline. Writes STEM-list-size.png, STEM-blocked-ratio.png,
STEM-burst.png and STEM-mix.png (curves with no point are skipped). run_scaling.py calls plot();
run alone, it redraws the charts of a results file.

usage: plot_scaling.py [bench/results/scaling.json]
"""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# curve key, file suffix, x axis title, x tick label of a point, what stays fixed
CHARTS = [
    ("list_size", "list-size", "domains on the list (66k real; 1M, 10M: 66k + synthetic)", lambda p: p["list"],
     "DNS/UDP mix, 10% blocked, burst 32"),
    ("blocked_ratio", "blocked-ratio", "frames named from the list", lambda p: f"{100 * p['blocked_ratio']:g}%",
     "DNS/UDP mix, 66k list, burst 32"),
    ("burst", "burst", "rx burst (dataplane.burst)", lambda p: str(p["burst"]),
     "DNS/UDP mix, 10% blocked, 66k list"),
    ("mix", "mix", "mix (a trafficgen preset, or flow_mixes: zipf, web, transit)", lambda p: p["mix"],
     "10% blocked, 66k list, burst 32"),
]


def curve_points(result, key):
    """The points of curve `key` in order (the JSON lists each point once; curves name them by id)."""
    by_id = {p["id"]: p for p in result["points"]}
    return [by_id[i] for i in result["curves"].get(key, [])]


def terminal():
    """pngcairo when this gnuplot has it (antialiased), else the libgd png terminal."""
    try:
        probe = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if probe.returncode == 0 and not probe.stderr.strip():
        return "pngcairo size 960,600 font 'sans,11'"
    return "png size 960,600"


def chart_script(term, png, dat, title, xlabel, count):
    return f"""set terminal {term}
set output {json.dumps(png)}
set title {json.dumps(title)}
set xlabel {json.dumps(xlabel)}
set ylabel 'Mpps (one worker core)'
set xrange [-0.5:{count - 0.5}]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid ytics
set key outside bottom center horizontal
set bars small
set bmargin 5
plot {json.dumps(dat)} using 0:3:4:5:xtic(2) with yerrorlines lw 2 pt 7 ps 1.2 lc rgb '#1f5fa8' \\
       title 'takedownd, 1 worker (median, min-max)', \\
     '' using 0:6 with linespoints dt 2 lw 2 pt 6 lc rgb '#c0392b' title 'dpdk-testpmd io, same mix (min-max)', \\
     '' using 0:6:7:8 with yerrorbars lw 1 pt 6 lc rgb '#c0392b' notitle, \\
     '' using 0:3:9 with labels offset 0,1.4 font ',10' notitle, \\
     '' using 0:6:10 with labels offset 0,1.2 font ',9' tc rgb '#c0392b' notitle
"""


def plot(result, stem, work_dir):
    """Writes the charts for `result` (run_scaling.py's JSON) as STEM-*.png; returns their paths."""
    term = terminal()
    if term is None:
        print("plot_scaling: gnuplot not found: no charts (apt-get install gnuplot-nox)", file=sys.stderr)
        return []
    os.makedirs(work_dir, exist_ok=True)
    machine, cfg = result["machine"], result["config"]
    written = []
    for key, suffix, xlabel, label, fixed in CHARTS:
        points = curve_points(result, key)
        if not points:
            continue
        dat = os.path.join(work_dir, f"{os.path.basename(stem)}-{suffix}.dat")
        with open(dat, "w") as f:
            f.write("# x label, takedownd median min max, testpmd median min max, labels\n")
            for i, p in enumerate(points):
                b = p["baseline"]
                ours = "%.2f (%.2fx)" % (p["median"], p["ratio"])
                base = "%.1f" % b["median"]
                f.write(f"{i} {json.dumps(label(p))} {p['median']} {p['min']} {p['max']} {b['median']} {b['min']} "
                        f"{b['max']} {json.dumps(ours)} {json.dumps(base)}\n")
        title = (f"takedownd against {key.replace('_', ' ')} ({fixed})\n"
                 f"median of {cfg['reps']} x {cfg['seconds']:g} s, bars min-max, label Mpps (ratio to testpmd io); "
                 f"{machine['cpu_model']}, {machine['processors']} CPUs, {result['date'][:10]}")
        png = f"{stem}-{suffix}.png"
        script = chart_script(term, png, dat, title, xlabel, len(points))
        done = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, timeout=60)
        if done.returncode != 0:
            print(f"plot_scaling: gnuplot failed for {png}: {done.stderr.strip()}", file=sys.stderr)
            continue
        written.append(png)
    return written


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "bench", "results", "scaling.json")
    with open(path) as f:
        result = json.load(f)
    stem = path[:-5] if path.endswith(".json") else path
    for png in plot(result, stem, os.path.join(REPO, "build", "scaling-bench")):
        print(png)


if __name__ == "__main__":
    main()
