//! `mdash fleet` on screen (SPEC §14), the real binary in a pseudo-terminal
//! over a real sshd on 127.0.0.1: two local and two remote workspaces, one
//! ssh stream for the remote host, a remote edit, pause and resume of a
//! remote run, the host killed (its sshd and connections) and brought back.

use std::path::Path;

use crate::common::procs::eventually;
use crate::common::pty::Pty;
use crate::common::sshd::{HOST, Sshd};
use crate::common::write;

fn agent_ws(root: &Path) {
    write(
        root,
        ".milestones/active/1a.yaml",
        "id: 1a\ntitle: Remote run\nstatus: in_progress\n",
    );
    write(
        root,
        "agent.sh",
        "#!/bin/sh\nsleep 600 &\nwhile true; do sleep 1; done\n",
    );
    let mut perm = std::fs::metadata(root.join("agent.sh"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(root.join("agent.sh"), perm).expect("chmod");
    write(
        root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{id}}\"]\n  stop_grace_secs: 2\n",
            root.join("agent.sh").display()
        ),
    );
}

fn pgid(root: &Path) -> i32 {
    let text = std::fs::read_to_string(root.join(".milestones/sessions/mdash-runs/1a.yaml"))
        .expect("registry");
    let v = milestone_dash::read::yaml::parse(&text).expect("yaml");
    milestone_dash::read::doc::number_at(&v, &["pgid"]).expect("pgid") as i32
}

fn group_states(pgid: i32) -> Vec<char> {
    milestone_dash::live::runs::group(pgid)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

/// Local `ssh` processes running a remote `watch --json`.
fn ssh_streams() -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().parse::<u32>().is_err() {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let args: Vec<String> = cmd
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().is_some_and(|a| a == "ssh")
            && args
                .iter()
                .any(|a| a.contains("watch") && a.contains("--json"))
        {
            out.push(args.join(" "));
        }
    }
    out
}

#[test]
fn two_local_two_remote_on_one_screen_edits_actions_and_a_host_lost_and_back() {
    let mut sshd = Sshd::start();
    let w = tempfile::tempdir().expect("tmp");
    let (l1, l2) = (w.path().join("api"), w.path().join("web"));
    let (r1, r2) = (w.path().join("remote/agents"), w.path().join("remote/docs"));
    write(
        &l1,
        ".milestones/active/la.yaml",
        "id: la\ntitle: Local alpha\nstatus: planned\n",
    );
    write(
        &l2,
        ".milestones/active/lb.yaml",
        "id: lb\ntitle: Local beta\nstatus: planned\n",
    );
    agent_ws(&r1);
    write(
        &r2,
        ".milestones/active/rd.yaml",
        "id: rd\ntitle: Remote docs\nstatus: planned\n",
    );
    let bin = env!("CARGO_BIN_EXE_mdash");
    let fleet = w.path().join("fleet.yaml");
    std::fs::write(
        &fleet,
        format!(
            "workspaces:\n  - path: {}\n  - path: {}\n    name: webby\n  - host: {HOST}\n    path: {}\n    name: agents\n    mdash: {bin}\n  - host: {HOST}\n    path: {}\n    mdash: {bin}\n",
            l1.display(),
            l2.display(),
            r1.display(),
            r2.display()
        ),
    )
    .expect("fleet.yaml");
    // The remote run, started there through the same CLI.
    let out = sshd.ssh(&format!("{bin} trust --yes '{}'", r1.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sshd.ssh(&format!("{bin} run start 1a --dir '{}'", r1.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A failing test leaves no remote run behind.
    let _reap = crate::common::procs::Reap(r1.clone());
    let pg = pgid(&r1);

    let mut cmd = portable_pty::CommandBuilder::new(bin);
    cmd.args(["fleet", "--fleet"]);
    cmd.arg(&fleet);
    for (k, v) in sshd.envs() {
        cmd.env(k, v);
    }
    cmd.env("MDASH_FLEET_BACKOFF_MS", "200");
    cmd.env("XDG_CONFIG_HOME", w.path().join("cfg"));
    let mut p = Pty::spawn_cmd(cmd, 160, 45);
    let all_live = |s: &str| {
        [
            "api · local · live",
            "webby · local · live",
            &format!("agents · {HOST} · live"),
            &format!("docs · {HOST} · live"),
        ]
        .iter()
        .all(|h| s.contains(h))
            && ["Local alpha", "Local beta", "Remote run", "Remote docs"]
                .iter()
                .all(|t| s.contains(t))
    };
    p.wait_for("four workspaces, live", all_live);
    // This test's streams (other tests' run beside it).
    let w_path = w.path().display().to_string();
    let streams: Vec<String> = ssh_streams()
        .into_iter()
        .filter(|s| s.contains(&w_path))
        .collect();
    assert_eq!(streams.len(), 1, "one ssh for the host: {streams:?}");
    assert!(
        streams[0].contains(&r1.display().to_string())
            && streams[0].contains(&r2.display().to_string())
    );

    // A remote edit reaches the screen.
    write(
        &r2,
        ".milestones/active/rd.yaml",
        "id: rd\ntitle: Remote edit seen\nstatus: in_progress\n",
    );
    p.wait_for("the remote edit", |s| s.contains("Remote edit seen"));

    // p and r on the remote run: its whole group stops and continues there.
    for _ in 0..12 {
        if p.screen().contains("┌ 1a Remote run") {
            break;
        }
        p.send(b"j");
        p.pump_for(std::time::Duration::from_millis(150));
    }
    p.wait_for("the remote run selected", |s| s.contains("┌ 1a Remote run"));
    p.send(b"p");
    p.wait_for("paused on screen", |s| s.contains("pause 1a on"));
    eventually("the remote group stopped", || {
        let g = group_states(pg);
        !g.is_empty() && g.iter().all(|&c| c == 'T')
    });
    // `r` acts on what the row shows: wait until the stream says paused.
    p.wait_for("paused in the row", |s| s.contains("Run paused"));
    p.send(b"r");
    eventually("the remote group running", || {
        let g = group_states(pg);
        !g.is_empty() && g.iter().all(|&c| c != 'T')
    });

    // The host dies: marked unreachable, its rows kept, local rows live.
    sshd.kill();
    p.wait_for("the host unreachable", |s| {
        s.contains(&format!("agents · {HOST} · unreachable"))
    });
    write(
        &l1,
        ".milestones/active/la.yaml",
        "id: la\ntitle: Local still live\nstatus: planned\n",
    );
    p.wait_for("local rows live, remote kept", |s| {
        s.contains("Local still live") && s.contains("Remote edit seen")
    });

    // And back.
    sshd.up();
    p.wait_for("live again", |s| {
        s.contains(&format!("agents · {HOST} · live"))
            && s.contains(&format!("docs · {HOST} · live"))
    });
    let _ = sshd.ssh(&format!("{bin} run stop 1a --dir '{}'", r1.display()));
    p.send(b"q");
}
