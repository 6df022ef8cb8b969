//! `cargo bench --bench fullread`: the dashboard's full read of a 10,000-
//! milestone tree with 2,500 event logs (issue 25 item 5), alone: a fresh
//! `Reader` per read (cold cache, as at start-up) and the same reader
//! again (warm: stamps only), medians of `RUNS` (default 7), and the
//! process's peak resident memory (VmHWM) after them, and the heap: what
//! one cold read peaks at and what its snapshot and reader keep. `N`
//! changes the size; `LOGS=0` leaves the event logs out (so the two runs
//! say what the logs cost).

use std::time::Instant;

use milestone_dash::live::snapshot::Reader;

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

/// The binary's allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(l.size() as isize, Ordering::Relaxed) + l.size() as isize;
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let live = LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed)
            + new as isize
            - l.size() as isize;
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mb(b: isize) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

#[path = "support/ws.rs"]
mod ws;

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn status_kb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let logs = std::env::var("LOGS").map_or(true, |v| v != "0");
    let d = ws::tree(n, logs);
    let now = chrono::Utc::now();
    let before = status_kb("VmRSS:");
    // One cold read alone first: its heap peak, and what stays.
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut reader = Reader::new(d.path());
    let snap = reader.load(now);
    let (peak, kept) = (
        PEAK.load(Ordering::Relaxed) - base,
        LIVE.load(Ordering::Relaxed) - base,
    );
    drop((snap, reader));
    // The one-shot read `status --json` makes (no cache kept).
    let base1 = LIVE.load(Ordering::Relaxed);
    PEAK.store(base1, Ordering::Relaxed);
    let snap = milestone_dash::live::snapshot::load(d.path(), now);
    let (peak1, kept1) = (
        PEAK.load(Ordering::Relaxed) - base1,
        LIVE.load(Ordering::Relaxed) - base1,
    );
    drop(snap);
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..runs {
        let mut reader = Reader::new(d.path());
        let t = Instant::now();
        let snap = reader.load(now);
        cold.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(snap.milestones.len(), n, "every milestone read");
        reader.invalidate([d.path().join(".milestones/active/m0.yaml")]);
        let t = Instant::now();
        let snap = reader.load(now);
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(snap);
    }
    let (m, lo, hi) = median(cold);
    let nlogs = if logs { n.div_ceil(4) } else { 0 };
    println!(
        "heap of one cold read: peak {:.1} MB, kept by snapshot and reader {:.1} MB ({:.2} KB per milestone)",
        mb(peak),
        mb(kept),
        kept as f64 / 1024.0 / n as f64
    );
    println!(
        "heap of the one-shot read (status): peak {:.1} MB, its snapshot {:.1} MB",
        mb(peak1),
        mb(kept1)
    );
    println!(
        "full read, {n} milestones, {nlogs} logs, cold: median {m:.0} ms (min {lo:.0}, max {hi:.0}, n={runs})"
    );
    let (m, lo, hi) = median(warm);
    println!(
        "full read again, one file stale:            median {m:.0} ms (min {lo:.0}, max {hi:.0}, n={runs})"
    );
    println!(
        "resident memory: {:.1} MB before reading, peak {:.1} MB (VmHWM)",
        before / 1024.0,
        status_kb("VmHWM:") / 1024.0
    );
}
