//! The reference servers as test peers: the official Node implementations under
//! tests/peers (Socket.IO 4 and 2, graphql-ws, subscriptions-transport-ws, and an
//! HTTP CONNECT and a SOCKS5 proxy that print each tunnel they open), installed
//! from their lockfile by tests/peers/install.sh and started on a free loopback port.
//! A machine without node fails these tests with a clear message; they are never
//! skipped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a peer may take to say its port, and a restart to find it free.
const START_LIMIT: Duration = Duration::from_secs(15);

fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// Runs tests/peers/install.sh once per test process (npm ci when the lockfile
/// changed). Within one process the first caller installs while the others wait
/// here; across processes (two test binaries, a CI run beside a developer's) the
/// script takes a file lock, so npm ci never runs twice over the same node_modules.
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
    /// What it printed after `PORT n`, line by line (a proxy's tunnel log).
    output: Arc<Mutex<Vec<String>>>,
    // Held open: the peer exits when it closes (so it dies with the test process
    // even when Drop never runs).
    _stdin: ChildStdin,
}

impl NodePeer {
    /// Starts `tests/peers/SCRIPT` with `args`, on a free port unless `args` give
    /// `--port N`.
    pub fn start(script: &str, args: &[&str]) -> NodePeer {
        ensure_installed();
        let mut args: Vec<String> = args.iter().map(ToString::to_string).collect();
        if !args.iter().any(|arg| arg == "--port") {
            args.extend(["--port".to_string(), "0".to_string()]);
        }
        Self::spawn(script, args).unwrap_or_else(|why| panic!("{why}"))
    }

    /// Starts node; `Err` (with what the peer wrote to stderr) when it does not say
    /// its port in time.
    fn spawn(script: &str, args: Vec<String>) -> Result<NodePeer, String> {
        let mut child = Command::new("node")
            .arg(peers_dir().join(script))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start node for tests/peers/{script}: {error} \
                     (node ≥ 20 and npm are needed for the reference-server tests: \
                     apt-get install nodejs npm)"
                )
            });
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");

        // The peer's stderr goes to the test's output (shown when a test fails: the
        // thread inherits the test's output capture) and is kept for a start failure.
        let errors = Arc::new(Mutex::new(String::new()));
        let (errors_in, name) = (errors.clone(), script.to_string());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[{name}] {line}");
                let mut errors = errors_in.lock().unwrap();
                errors.push_str(&line);
                errors.push('\n');
            }
        });
        let (sender, receiver) = std::sync::mpsc::channel();
        let output = Arc::new(Mutex::new(Vec::new()));
        let output_in = output.clone();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let line = lines.next().and_then(Result::ok);
            let _ = sender.send(line);
            // Keep draining so the peer never blocks on a full pipe; kept for
            // `output_lines`.
            for line in lines.map_while(Result::ok) {
                output_in.lock().unwrap().push(line);
            }
        });

        let line = receiver.recv_timeout(START_LIMIT).ok().flatten();
        let port = line
            .as_deref()
            .and_then(|line| line.strip_prefix("PORT "))
            .and_then(|port| port.trim().parse().ok());
        match port {
            Some(port) => Ok(NodePeer {
                port,
                script: script.to_string(),
                args,
                child,
                output,
                _stdin: stdin,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                // Let the stderr thread catch the last lines of a crash.
                std::thread::sleep(Duration::from_millis(100));
                Err(format!(
                    "tests/peers/{script} {} did not say `PORT n` within {START_LIMIT:?} \
                     (first line: {line:?}); its stderr:\n{}",
                    args.join(" "),
                    errors.lock().unwrap()
                ))
            }
        }
    }

    /// The lines the peer printed after `PORT n` so far.
    pub fn output_lines(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
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
        let mut args = self.args.clone();
        match args.iter().position(|arg| arg == "--port") {
            Some(at) if at + 1 < args.len() => args[at + 1] = self.port.to_string(),
            _ => args.extend(["--port".to_string(), self.port.to_string()]),
        }
        let started = Instant::now();
        let again = loop {
            // A listener of ours would take the port; node sets SO_REUSEADDR as std
            // does, so TIME_WAIT leftovers do not count, only a live listener.
            let free = std::net::TcpListener::bind(("127.0.0.1", self.port)).is_ok();
            let attempt = if free {
                Self::spawn(&self.script, args.clone())
            } else {
                Err(format!("port {} is still taken", self.port))
            };
            match attempt {
                Ok(peer) => break peer,
                Err(why) if started.elapsed() > START_LIMIT => {
                    panic!("restarting tests/peers/{} failed: {why}", self.script)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
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
