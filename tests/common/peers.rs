//! The reference servers as test peers: the official Node implementations under
//! tests/peers (Socket.IO 4 and 2, graphql-ws, subscriptions-transport-ws), installed
//! from their lockfile by tests/peers/install.sh and started on a free loopback port.
//! A machine without node fails these tests with a clear message; they are never
//! skipped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a peer may take to say its port.
const START_LIMIT: Duration = Duration::from_secs(15);

fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// Runs tests/peers/install.sh once per test process (npm ci when the lockfile
/// changed). Test binaries run one after another, and within one the first caller
/// installs while the others wait here.
pub fn ensure_installed() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        let output = Command::new("bash")
            .arg(peers_dir().join("install.sh"))
            .stdin(Stdio::null())
            .output()
            .map_err(|error| format!("cannot run tests/peers/install.sh: {error}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "tests/peers/install.sh failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    });
    if let Err(why) = result {
        panic!("the reference servers are not installed: {why}");
    }
}

/// A reference server running as a child process; killed when dropped.
pub struct NodePeer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    script: String,
    args: Vec<String>,
    child: Child,
    // Held open: the peer exits when it closes (if the test process dies too).
    _stdin: ChildStdin,
}

impl NodePeer {
    /// Starts `tests/peers/SCRIPT` with `args` on a free port.
    pub fn start(script: &str, args: &[&str]) -> NodePeer {
        ensure_installed();
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        Self::spawn(script, args, 0)
    }

    fn spawn(script: &str, args: Vec<String>, port: u16) -> NodePeer {
        let mut child = Command::new("node")
            .arg(peers_dir().join(script))
            .args(&args)
            .arg("--port")
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start node for {script} (node >= 20 is needed): {error}")
            });
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let line = lines.next().and_then(Result::ok);
            let _ = sender.send(line);
            // Keep draining so the peer never blocks on a full pipe.
            for _ in lines {}
        });
        let line = receiver.recv_timeout(START_LIMIT).ok().flatten();
        let Some(port) = line
            .as_deref()
            .and_then(|line| line.strip_prefix("PORT "))
            .and_then(|port| port.trim().parse().ok())
        else {
            let _ = child.kill();
            panic!("{script} did not say its port within {START_LIMIT:?} (got {line:?})");
        };
        NodePeer {
            port,
            script: script.to_string(),
            args,
            child,
            _stdin: stdin,
        }
    }

    /// `ws://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    /// Kills the server (no close frames: a crash) and starts it again on the same
    /// port, retrying while the port is still taken.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let started = Instant::now();
        loop {
            if std::net::TcpListener::bind(("127.0.0.1", self.port)).is_ok() {
                break;
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "port {} still taken after {START_LIMIT:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let again = Self::spawn(&self.script, self.args.clone(), self.port);
        let old = std::mem::replace(self, again);
        drop(old);
    }
}

impl Drop for NodePeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
