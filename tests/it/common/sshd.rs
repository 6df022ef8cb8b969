//! A real OpenSSH server for the fleet's tests: Debian's `/usr/sbin/sshd`,
//! started here on 127.0.0.1 on a free port, with host and client keys
//! generated in a temp dir and its own config (`UsePAM no`, `StrictModes
//! no`, its own `AuthorizedKeysFile`), never the system service. The
//! client gets a generated config for `ssh -F` (`MDASH_SSH_CONFIG`): ssh
//! reads `~/.ssh` from the passwd entry, not `$HOME`. As root, sshd wants
//! `/run/sshd`: it runs in a mount namespace of its own with a tmpfs there
//! (`unshare -m`), so nothing outside the temp dir is touched.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The name the client config gives the server.
pub const HOST: &str = "mdash-test-box";

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

pub fn available() -> bool {
    Path::new("/usr/sbin/sshd").exists() && which("ssh") && which("ssh-keygen")
}

fn which(p: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {p}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn keygen(path: &Path) {
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Sshd {
    pub fn start() -> Sshd {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        keygen(&d.join("host_key"));
        keygen(&d.join("client_key"));
        std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys")).expect("keys");
        let port = free_port();
        let host_pub = std::fs::read_to_string(d.join("host_key.pub")).expect("pub");
        let host_pub: Vec<&str> = host_pub.split_whitespace().take(2).collect();
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {}\n", host_pub.join(" ")),
        )
        .expect("known_hosts");
        std::fs::write(
            d.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nPidFile none\nUsePAM no\n\
                 StrictModes no\nAuthorizedKeysFile {ak}\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n\
                 MaxSessions 10\nLogLevel ERROR\nSetEnv XDG_CONFIG_HOME={rc}\n",
                rc = d.join("remote-config").display(),
                hk = d.join("host_key").display(),
                ak = d.join("authorized_keys").display(),
            ),
        )
        .expect("sshd_config");
        let user = std::env::var("USER")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(whoami);
        std::fs::write(
            d.join("ssh_config"),
            format!(
                "Host {HOST}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile {ck}\n\
                 \x20 IdentitiesOnly yes\n  UserKnownHostsFile {kh}\n  GlobalKnownHostsFile /dev/null\n\
                 \x20 StrictHostKeyChecking yes\n  LogLevel ERROR\n",
                ck = d.join("client_key").display(),
                kh = d.join("known_hosts").display(),
            ),
        )
        .expect("ssh_config");
        std::fs::create_dir_all(d.join("run")).expect("run dir");
        let mut s = Sshd {
            dir,
            port,
            child: None,
        };
        s.up();
        s
    }

    /// The client config for `ssh -F` (what `MDASH_SSH_CONFIG` names).
    pub fn client_config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    /// A private runtime dir (mdash's control sockets go there).
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The environment a client process needs.
    pub fn envs(&self) -> Vec<(String, PathBuf)> {
        vec![
            ("MDASH_SSH_CONFIG".into(), self.client_config()),
            ("XDG_RUNTIME_DIR".into(), self.runtime_dir()),
        ]
    }

    /// Starts sshd (again) and waits until it accepts connections.
    pub fn up(&mut self) {
        let cfg = self.dir.path().join("sshd_config");
        // SAFETY: getuid cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let mut cmd = if root {
            let mut c = Command::new("unshare");
            c.args(["-m", "sh", "-c"]).arg(format!(
                "mount -t tmpfs none /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -e -f '{}'",
                cfg.display()
            ));
            c
        } else {
            let mut c = Command::new("/usr/sbin/sshd");
            c.args(["-D", "-e", "-f"]).arg(&cfg);
            c
        };
        let child = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sshd");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "sshd did not start");
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Kills sshd and every connection it made (its descendants).
    pub fn kill(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        for pid in descendants(child.id()) {
            // SAFETY: signalling processes this test started.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// `ssh -F CONFIG HOST ARGS` run here (for checks on the remote).
    pub fn ssh(&self, line: &str) -> std::process::Output {
        Command::new("ssh")
            .arg("-F")
            .arg(self.client_config())
            .args(["-o", "BatchMode=yes", HOST, line])
            .stdin(Stdio::null())
            .output()
            .expect("ssh")
    }
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Every process below `pid`, by parent links in /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(pp) = ppid {
            parents.push((p, pp));
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == cur).map(|(p, _)| *p));
        i += 1;
    }
    out.remove(0);
    out
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
        // The shared connection's master, started by mdash's ssh.
        for e in std::fs::read_dir(self.runtime_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            for s in std::fs::read_dir(e.path()).into_iter().flatten().flatten() {
                let _ = Command::new("ssh")
                    .arg("-F")
                    .arg(self.client_config())
                    .arg("-o")
                    .arg(format!("ControlPath={}", s.path().display()))
                    .args(["-O", "exit", HOST])
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}
