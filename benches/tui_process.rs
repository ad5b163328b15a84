//! The real TUI binary in a pseudo-terminal, read through a vt100 emulator:
//! - **ingest**: `wsdeck --log-capacity 1000000 URL` against the firehose
//!   (1 000 000 × 100 B): wall time until the state pane counts every message, and
//!   the peak RSS (VmHWM) holding them all;
//! - **memory with the default cap**: 100 000 × 10 KiB into the default log;
//! - **keystroke to screen during a flood**: a key typed into the composer every
//!   80 ms while 100-byte messages pour in, timed until the emulator shows it;
//! - **idle**: connected to the built-in server, nothing arriving, 30 s of CPU time.
//!
//! `cargo bench --bench tui_process` (or `benches/run.sh`). Figures and targets are
//! in docs/PERFORMANCE.md.

#[path = "support/firehose.rs"]
mod firehose;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 120;

/// What the reader thread keeps: the emulated screen and when the composer last
/// showed each count of typed marker keys.
struct Shared {
    parser: vt100::Parser,
    markers_seen: usize,
    markers_seen_at: Vec<Instant>,
}

/// The wsdeck TUI running in a pty.
struct Tui {
    shared: Arc<Mutex<Shared>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Tui {
    fn start(args: &[&str]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut command = CommandBuilder::new(wsdeck_binary());
        command.args(args);
        command.env("TERM", "xterm-256color");
        let data = std::env::temp_dir().join(format!("wsdeck-bench-{}", std::process::id()));
        command.env("WSDECK_DATA_DIR", data);
        let child = pty.slave.spawn_command(command).expect("wsdeck starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let shared = Arc::new(Mutex::new(Shared {
            parser: vt100::Parser::new(ROWS, COLS, 0),
            markers_seen: 0,
            markers_seen_at: Vec::new(),
        }));
        let shared_in = shared.clone();
        let master = pty.master;
        std::thread::spawn(move || {
            let _master = master;
            let mut buffer = [0u8; 65536];
            while let Ok(read) = reader.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                let now = Instant::now();
                let mut shared = shared_in.lock().unwrap();
                shared.parser.process(&buffer[..read]);
                // The composer's text row: above its bottom border and the status line.
                let row = shared
                    .parser
                    .screen()
                    .rows(0, COLS)
                    .nth(usize::from(ROWS) - 3)
                    .unwrap_or_default();
                let count = row.matches('x').count();
                while shared.markers_seen < count {
                    shared.markers_seen += 1;
                    shared.markers_seen_at.push(now);
                }
            }
        });
        Self {
            shared,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.shared.lock().unwrap().parser.screen().contents()
    }

    fn wait_for(&self, what: &str, limit: Duration, check: impl Fn(&str) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            if check(&self.screen()) {
                return started.elapsed();
            }
            if started.elapsed() > limit {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().expect("a pid")
    }

    fn type_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `recv  N (` in the state pane.
fn counted(screen: &str, count: u64) -> bool {
    screen.contains(&format!("recv  {count} ("))
}

/// Peak resident set size in MiB (VmHWM).
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number");
    kib / 1024.0
}

/// CPU time (user + system) in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc_sysconf_clk_tck() };
    ticks / per_second
}

unsafe extern "C" {
    fn sysconf(name: i32) -> i64;
}

/// `sysconf(_SC_CLK_TCK)`.
unsafe fn libc_sysconf_clk_tck() -> f64 {
    const SC_CLK_TCK: i32 = 2;
    // SAFETY: forwarded from the caller; sysconf only reads.
    (unsafe { sysconf(SC_CLK_TCK) }) as f64
}

fn wsdeck_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_wsdeck"));
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() - 1) as f64 * p).round() as usize;
    values[index]
}

fn row(label: &str, measured: String, target: &str, pass: bool) {
    let verdict = if pass { "PASS" } else { "MISS" };
    println!("{label:<52} {measured:>22} {target:>16}  {verdict}");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let firehose = runtime.block_on(firehose::start());
    let echo = runtime.block_on(async {
        wsdeck::server::Server::bind(wsdeck::server::ServerConfig {
            port: 0,
            ..wsdeck::server::ServerConfig::default()
        })
        .await
        .expect("echo server")
    });
    println!(
        "tui_process: {} in a {COLS}x{ROWS} pty; firehose {firehose}\n",
        wsdeck_binary().display()
    );
    println!(
        "{:<52} {:>22} {:>16}  result",
        "scenario", "measured", "target"
    );

    // Ingest of 1 000 000 × 100 B, every message kept in the log.
    let count = 1_000_000u64;
    let url = firehose::url(firehose, count, 100);
    let started = Instant::now();
    let tui = Tui::start(&["--log-capacity", "1000000", "--ping-interval", "0", &url]);
    tui.wait_for("every message counted", Duration::from_secs(120), |s| {
        counted(s, count)
    });
    let wall = started.elapsed();
    let rss = peak_rss_mib(tui.pid());
    drop(tui);
    row(
        "TUI ingest 1 000 000 x 100 B, all counted (wall)",
        format!(
            "{:.2} s ({:.0}/s)",
            wall.as_secs_f64(),
            count as f64 / wall.as_secs_f64()
        ),
        "none lost",
        true,
    );
    row(
        "  peak RSS holding all 1 000 000",
        format!("{rss:.0} MiB"),
        "<= 256 MiB",
        rss <= 256.0,
    );

    // 100 000 × 10 KiB with the default cap (100 000 entries).
    let count = 100_000u64;
    let size = 10 * 1024;
    let url = firehose::url(firehose, count, size);
    let tui = Tui::start(&["--ping-interval", "0", &url]);
    tui.wait_for(
        "every 10 KiB message counted",
        Duration::from_secs(180),
        |s| counted(s, count),
    );
    let rss = peak_rss_mib(tui.pid());
    drop(tui);
    let cap_mib = (count as f64 * size as f64) / (1024.0 * 1024.0);
    row(
        "  peak RSS, 100 000 x 10 KiB, default cap",
        format!("{rss:.0} MiB (cap {cap_mib:.0})"),
        "<= cap + 64 MiB",
        rss <= cap_mib + 64.0,
    );

    // Keystrokes during a flood.
    let url = firehose::url(firehose, 50_000_000, 100);
    let mut tui = Tui::start(&["--ping-interval", "0", &url]);
    tui.wait_for("the flood to start", Duration::from_secs(10), |s| {
        s.contains("recv  ") && !s.contains("recv  0 (")
    });
    let mut latencies = Vec::new();
    for typed in 1..=60usize {
        let sent = Instant::now();
        tui.type_bytes(b"x");
        loop {
            let seen = {
                let shared = tui.shared.lock().unwrap();
                shared.markers_seen_at.get(typed - 1).copied()
            };
            if let Some(at) = seen {
                latencies.push(at.saturating_duration_since(sent).as_secs_f64() * 1e3);
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "key {typed} never shown"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(80));
    }
    let still_flooding = !tui.screen().contains("recv  50000000 (");
    drop(tui);
    let p50 = percentile(&mut latencies, 0.5);
    let p99 = percentile(&mut latencies, 0.99);
    row(
        "keystroke to screen during a 100 B flood (p50/p99)",
        format!("{p50:.1} / {p99:.1} ms"),
        "p99 <= 50 ms",
        p99 <= 50.0 && still_flooding,
    );

    // Idle: connected, nothing arriving.
    let tui = Tui::start(&[&echo.url()]);
    tui.wait_for("connected", Duration::from_secs(10), |s| {
        s.contains("connected")
    });
    std::thread::sleep(Duration::from_secs(1));
    let before = cpu_seconds(tui.pid());
    std::thread::sleep(Duration::from_secs(30));
    let idle = cpu_seconds(tui.pid()) - before;
    drop(tui);
    row(
        "idle 30 s, connected (CPU time)",
        format!("{idle:.2} s"),
        "<= 0.3 s",
        idle <= 0.3,
    );
    runtime.block_on(echo.shutdown());
}
