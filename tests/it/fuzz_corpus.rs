//! Replays the saved fuzz inputs (`fuzz/regressions/<target>/`) through the
//! same entry points the fuzz targets call: inputs that once found a bug
//! stay in the suite. `cargo fuzz` itself is not needed here.

use std::path::Path;

#[test]
fn every_saved_fuzz_input_still_passes() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    type Target = (&'static str, fn(&[u8]));
    let targets: [Target; 5] = [
        ("milestone_yaml", milestone_dash::fuzzing::milestone_yaml),
        ("bundle_yaml", milestone_dash::fuzzing::bundle_yaml),
        ("jsonl", milestone_dash::fuzzing::jsonl),
        ("config", milestone_dash::fuzzing::config),
        ("yaml_subset", milestone_dash::fuzzing::yaml_subset),
    ];
    let mut n = 0;
    for (name, run) in targets {
        let dir = base.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).expect("read");
            let r = std::panic::catch_unwind(|| run(&bytes));
            assert!(r.is_ok(), "{name}: {} fails again", f.display());
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} saved inputs");
}
