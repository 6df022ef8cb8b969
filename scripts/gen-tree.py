#!/usr/bin/env python3
"""Write a deterministic milestone workspace: gen-tree.py DIR N [SEED].

Milestones mix the dialects mdash reads (flat, kiro phases, tasks with
per-task phases, metadata wrappers, JSON), with dependencies, recorded
blockers, logs and a few broken files, so that a comparison of two
binaries' `status --json` covers more than the happy path."""
import json, os, random, sys

root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
active = os.path.join(root, ".milestones", "active")
done = os.path.join(root, ".milestones", "completed")
logs = os.path.join(root, ".milestones", "logs")
for d in (active, done, logs):
    os.makedirs(d, exist_ok=True)
STATUSES = ["planned", "in_progress", "executing", "blocked", "paused", "done", "draft", "weird", "waiting_approval"]
PHASE = ["completed", "in_progress", "pending", "blocked", "waiting_approval", "in_review", "approved"]
ids = [f"{1 + i // 26}{chr(97 + i % 26)}" if i < 260 else f"m-{i:05d}" for i in range(n)]
for i, mid in enumerate(ids):
    kind = i % 5
    reqs = sorted({rnd.choice(ids) for _ in range(rnd.randint(0, 3))} - {mid})
    st = rnd.choice(STATUSES)
    if kind == 4:
        doc = {"milestone_id": mid, "title": f"JSON {i}", "status": st, "depends_on": reqs,
               "progress": {"percentage": rnd.randint(0, 100)}}
        with open(os.path.join(active, f"{mid}.json"), "w") as f:
            json.dump(doc, f, indent=2)
        continue
    lines = []
    if kind == 1:
        lines += ["metadata:", f"  id: {mid}", f"  title: \"Wrapped {i}\"", f"  status: {st}"]
    else:
        lines += [f"id: {mid}", f"title: Milestone {i} — ünïcode", f"status: {st}"]
    if reqs:
        lines += ["dependencies:", "  requires: [" + ", ".join(reqs) + "]"]
    if kind in (0, 1):
        lines += ["kiro_configuration:", "  phases:"]
        for p in ("design", "spec", "task", "execute"):
            if rnd.random() < 0.85:
                lines += [f"    {p}:", f"      status: {rnd.choice(PHASE)}"]
                if rnd.random() < 0.3:
                    lines += [f"      progress: {rnd.randint(0, 100)}"]
                if rnd.random() < 0.2:
                    lines += [f"      started_at: 2026-11-2{rnd.randint(0, 2)}T0{rnd.randint(0, 9)}:00:00Z"]
    if kind in (2, 3):
        lines += ["tasks:"]
        for t in range(rnd.randint(1, 4)):
            lines += [f"  - id: task-{t:03d}", f"    status: {rnd.choice(PHASE + ['failed'])}"]
            if rnd.random() < 0.4:
                lines += [f"    started_at: \"2026-11-21T0{rnd.randint(0, 9)}:30:00Z\""]
            if kind == 3:
                lines += ["    kiro_workflow:", "      phases:"]
                for p in ("design", "spec"):
                    lines += [f"        {p}: {{status: {rnd.choice(PHASE)}}}"]
    if rnd.random() < 0.2:
        lines += ["blockers:", f"  - \"waiting on {rnd.choice(ids)}\""]
    if rnd.random() < 0.1:
        lines += ["progress: \"40%\""]
    path = os.path.join(done if st == "done" and rnd.random() < 0.5 else active, f"{mid}.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    if rnd.random() < 0.3:
        with open(os.path.join(logs, f"execution-{mid}.jsonl"), "w") as f:
            for k in range(rnd.randint(1, 5)):
                ev = rnd.choice(["task_started", "blocker_detected", "blocker_resolved", "phase_completed"])
                f.write(json.dumps({"event": ev, "timestamp": f"2026-11-21T1{k}:00:00Z", "milestone_id": mid}) + "\n")
            if rnd.random() < 0.3:
                f.write("{not json\n")
with open(os.path.join(active, "broken.yaml"), "w") as f:
    f.write("id: [unclosed\n")
