//! `cargo bench --bench read`: medians and spreads for reading and drawing
//! workspaces of 10, 1,000 and 10,000 milestones, re-reading one changed
//! file, a file change reaching a frame through the real watcher, one frame
//! at 200×60, resident memory, and opening the tail of a 1 GB log.

use std::path::Path;
use std::time::{Duration, Instant};

use milestone_dash::app::keymap::Keymap;
use milestone_dash::app::update::update;
use milestone_dash::app::{App, Msg};
use milestone_dash::live::snapshot::{self as workspace, Reader};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The same allocator as the `mdash` binary, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The same ~1 KB milestones and logs as the benches that drive the binary.
#[path = "support/ws.rs"]
mod ws;
use ws::milestone;

fn tree(n: usize) -> tempfile::TempDir {
    ws::tree(n, true)
}

fn stats(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<48} median {:>9.3} ms  p99 {:>9.3} ms  min {:>9.3}  max {:>9.3}  (n={})",
        p(0.5),
        p(0.99),
        ms[0],
        ms[ms.len() - 1],
        ms.len()
    );
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let r = f();
    (t.elapsed().as_secs_f64() * 1000.0, r)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn frame(app: &App, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| milestone_dash::ui::render(app, f))
        .expect("draw");
}

fn main() {
    let now = chrono::Utc::now();
    for n in [10, 1_000, 10_000] {
        let d = tree(n);
        let runs = if n == 10_000 { 5 } else { 15 };
        let cold: Vec<f64> = (0..runs)
            .map(|_| time(|| workspace::load(d.path(), now)).0)
            .collect();
        stats(&format!("read {n} milestones (cold, complete model)"), cold);
        let exe = env!("CARGO_BIN_EXE_mdash");
        let cli: Vec<f64> = (0..runs)
            .map(|_| {
                time(|| {
                    std::process::Command::new(exe)
                        .args(["status", "--json"])
                        .arg(d.path())
                        .output()
                        .expect("status")
                })
                .0
            })
            .collect();
        stats(
            &format!("mdash status --json, {n} milestones (end to end)"),
            cli,
        );
        if n == 10_000 {
            let before = rss_mb();
            let snap = workspace::load(d.path(), now);
            println!(
                "{:<48} {:.0} MB resident after reading (process total {:.0} MB)",
                "memory, 10,000 milestones",
                rss_mb() - before,
                rss_mb()
            );
            let mut reader = Reader::new(d.path());
            reader.load(now);
            let file = d.path().join(".milestones/active/m5000.yaml");
            let changed: Vec<f64> = (0..15)
                .map(|i| {
                    std::fs::write(
                        &file,
                        milestone(5000).replace("Milestone 5000", &format!("Changed {i}")),
                    )
                    .expect("write");
                    reader.invalidate([file.clone()]);
                    time(|| reader.load(now)).0
                })
                .collect();
            stats("re-read one changed file of 10,000", changed);
            drop(snap);
        }
        if n == 1_000 {
            let mut app = App::new(Keymap::default(), true, now);
            update(&mut app, Msg::Resize(200, 60));
            update(
                &mut app,
                Msg::Loaded(Box::new(workspace::load(d.path(), now))),
            );
            let frames: Vec<f64> = (0..50).map(|_| time(|| frame(&app, 200, 60)).0).collect();
            stats("one frame at 200x60, 1,000 milestones", frames);
            change_to_frame(d.path(), &mut app);
        }
    }
    log_tail();
}

/// A file change through the real watcher, the reader and a frame.
fn change_to_frame(root: &Path, app: &mut App) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _w = milestone_dash::live::watch::Watcher::start(root, false, tx);
    let mut reader = Reader::new(root);
    reader.load(chrono::Utc::now());
    let file = root.join(".milestones/active/m500.yaml");
    let debounce = milestone_dash::runtime::DEBOUNCE;
    let mut lat = Vec::new();
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(60));
        while rx.try_recv().is_ok() {}
        let t = Instant::now();
        std::fs::write(
            &file,
            milestone(500).replace("Milestone 500", &format!("Edit {i}")),
        )
        .expect("write");
        // Wait for the watcher's event, then the debounce, as the loop does.
        loop {
            if let Ok(milestone_dash::live::watch::WatchMsg::Paths(p)) = rx.try_recv()
                && p.iter().any(|x| x == &file)
            {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(debounce);
        reader.invalidate([file.clone()]);
        let snap = reader.load(chrono::Utc::now());
        update(app, Msg::Loaded(Box::new(snap)));
        frame(app, 200, 60);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    stats(
        "file change -> frame, 1,000 milestones (incl. 30 ms debounce)",
        lat,
    );
}

fn log_tail() {
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path().join("big.jsonl");
    let line = b"{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"task_progress\",\"milestone_id\":\"x\",\"details\":{\"note\":\"padding padding padding padding\"}}\n";
    {
        use std::io::Write;
        let mut f =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&p).expect("create"));
        let mut written = 0u64;
        while written < 1 << 30 {
            f.write_all(line).expect("write");
            written += line.len() as u64;
        }
    }
    let fence = milestone_dash::read::file::Fence::new(d.path(), 1 << 20);
    let t: Vec<f64> = (0..30)
        .map(|_| time(|| milestone_dash::read::log::read_tail(&fence, &p).expect("tail")).0)
        .collect();
    stats("open the tail of a 1 GB event log", t);
}
