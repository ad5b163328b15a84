//! Whole-process comparisons of the headless commands against a practical ceiling.
//!
//! `cargo bench --bench headless` (or `benches/run.sh`) measures, with the release
//! `wsdeck` binary as a child process:
//! - `wsdeck listen URL > /dev/null` taking in a flood (200 000 × 100 B and
//!   20 000 × 10 KiB) from the firehose in `support/firehose.rs`;
//! - `wsdeck listen URL --jq .p > /dev/null`: the same 100 B flood, every message
//!   parsed as JSON and run through a jq program (target ≥ 0.3 × limit; a plain
//!   path is answered by scanning the bytes), and a `select(…)` that runs through
//!   jaq, for information;
//! - start-up: `wsdeck request URL --message …` against the built-in echo server,
//!   the whole process from spawn to exit;
//! - the echo round trip `request --json` reports (`rtt_ms`).
//!
//! The reference, **limit**, is this same bench binary re-run as a child with a
//! hidden mode (`limit-listen`, `limit-request`): a minimal tokio-tungstenite client
//! that only counts, so both sides pay process start-up. Where `websocat` is on PATH
//! it is measured too; its absence is reported, not an error.
//!
//! Every cell is the median of several runs taken alternately; the ratios are what
//! the performance targets are written in (docs/PERFORMANCE.md).

#[path = "support/firehose.rs"]
mod firehose;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// Runs per cell for the floods.
const FLOOD_RUNS: usize = 5;
/// Runs per cell for start-up and round trips.
const REQUEST_RUNS: usize = 21;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("limit-listen") => return limit_listen(&args[2], args[3].parse().expect("count")),
        Some("limit-request") => return limit_request(&args[2], &args[3]),
        // For profiling by hand: serve the firehose until killed.
        Some("firehose") => return serve_firehose(),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let wsdeck = wsdeck_binary();
    let firehose = runtime.block_on(firehose::start());
    let echo = runtime.block_on(async {
        wsdeck::server::Server::bind(wsdeck::server::ServerConfig {
            port: 0,
            ..wsdeck::server::ServerConfig::default()
        })
        .await
        .expect("echo server")
    });
    let websocat = which("websocat");
    println!(
        "headless: wsdeck = {}; firehose {firehose}; echo {}; websocat: {}",
        wsdeck.display(),
        echo.url(),
        websocat
            .as_ref()
            .map_or("not installed (cargo install websocat)".to_string(), |p| p
                .display()
                .to_string())
    );
    println!(
        "\n{:<44} {:>12} {:>12} {:>7} {:>9}  result",
        "scenario", "limit", "wsdeck", "ratio", "target"
    );

    for (count, size, label, extra, target) in [
        (
            200_000u64,
            100usize,
            "listen > /dev/null, 200 000 x 100 B",
            &[][..],
            0.5,
        ),
        (
            20_000,
            10 * 1024,
            "listen > /dev/null, 20 000 x 10 KiB",
            &[][..],
            0.5,
        ),
        (
            200_000,
            100,
            "listen --jq .p > /dev/null, 200 000 x 100 B",
            &["--jq", ".p"][..],
            0.3,
        ),
        // A program that is not a plain path runs through jaq: for information.
        (
            50_000,
            100,
            "  --jq 'select(.e == \"trade\")', 50 000 x 100 B",
            &["--jq", "select(.e == \"trade\")"][..],
            0.0,
        ),
    ] {
        let url = firehose::url(firehose, count, size);
        check_listen_prints_everything(&wsdeck, &firehose::url(firehose, 1000, size), 1000, extra);
        let mut limit = Vec::new();
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..FLOOD_RUNS {
            limit.push(rate(
                count,
                time(self_command(&["limit-listen", &url, &count.to_string()])),
            ));
            let mut listen = wsdeck_listen(&wsdeck, &url, count);
            listen.args(extra);
            ours.push(rate(count, time(listen)));
            if let Some(websocat) = websocat.as_ref().filter(|_| extra.is_empty()) {
                let mut command = Command::new(websocat);
                command.args(["-t", "--no-close", &url]);
                theirs.push(rate(count, time(command)));
            }
        }
        let (limit, ours) = (median(limit), median(ours));
        row(
            label,
            &format!("{limit:.0}/s"),
            &format!("{ours:.0}/s"),
            ours / limit,
            target,
            true,
        );
        if !theirs.is_empty() {
            let theirs = median(theirs);
            row(
                "  websocat, same flood",
                &format!("{limit:.0}/s"),
                &format!("{theirs:.0}/s"),
                theirs / limit,
                0.0,
                true,
            );
        }
    }

    let url = echo.url();
    let message = r#"{"id":1,"op":"echo"}"#;
    let mut limit_wall = Vec::new();
    let mut ours_wall = Vec::new();
    let mut limit_rtt = Vec::new();
    let mut ours_rtt = Vec::new();
    let mut theirs_wall = Vec::new();
    for _ in 0..REQUEST_RUNS {
        let (wall, output) = time_output(self_command(&["limit-request", &url, message]));
        limit_wall.push(wall.as_secs_f64() * 1e3);
        limit_rtt.push(
            output
                .trim()
                .parse::<f64>()
                .expect("limit prints its rtt in ms"),
        );
        let mut request = Command::new(&wsdeck);
        request.args(["request", &url, "--message", message, "--json"]);
        let (wall, output) = time_output(request);
        ours_wall.push(wall.as_secs_f64() * 1e3);
        let envelope: serde_json::Value =
            serde_json::from_str(output.trim()).expect("request --json prints an envelope");
        ours_rtt.push(envelope["data"]["rtt_ms"].as_f64().expect("rtt_ms"));
        if let Some(websocat) = &websocat {
            let mut command = Command::new(websocat);
            command.args(["-1", &url]).stdin(Stdio::piped());
            theirs_wall.push(time_with_input(command, message).as_secs_f64() * 1e3);
        }
    }
    let (limit_wall, ours_wall) = (median(limit_wall), median(ours_wall));
    row(
        "startup: request against echo, whole process",
        &format!("{limit_wall:.2} ms"),
        &format!("{ours_wall:.2} ms"),
        ours_wall / limit_wall,
        1.5,
        false,
    );
    if !theirs_wall.is_empty() {
        let theirs = median(theirs_wall);
        row(
            "  websocat -1, same request",
            &format!("{theirs:.2} ms"),
            &format!("{ours_wall:.2} ms"),
            ours_wall / theirs,
            0.5,
            false,
        );
    }
    let (limit_rtt, ours_rtt) = (median(limit_rtt), median(ours_rtt));
    row(
        "echo round trip p50 (request's rtt_ms)",
        &format!("{limit_rtt:.3} ms"),
        &format!("{ours_rtt:.3} ms"),
        ours_rtt / limit_rtt,
        1.2,
        false,
    );
    runtime.block_on(echo.shutdown());
}

/// One table row: `higher_is_better` says whether the ratio must reach the target or
/// stay under it; a target of 0 means "for information".
fn row(label: &str, limit: &str, ours: &str, ratio: f64, target: f64, higher_is_better: bool) {
    let (target_text, verdict) = if target == 0.0 {
        (String::from("—"), "info")
    } else if higher_is_better {
        (
            format!(">= {target}"),
            if ratio >= target { "PASS" } else { "MISS" },
        )
    } else {
        (
            format!("<= {target}"),
            if ratio <= target { "PASS" } else { "MISS" },
        )
    };
    println!("{label:<44} {limit:>12} {ours:>12} {ratio:>7.2} {target_text:>9}  {verdict}");
}

/// `wsdeck listen URL --count N` with stdout to /dev/null.
fn wsdeck_listen(wsdeck: &PathBuf, url: &str, count: u64) -> Command {
    let mut command = Command::new(wsdeck);
    command.args([
        "listen",
        url,
        "--count",
        &count.to_string(),
        "--no-reconnect",
    ]);
    command.args(["--ping-interval", "0", "--max-message-size", "64MiB"]);
    command
}

/// Fails the bench unless `listen` (with `extra` arguments) prints one line per
/// message of a small flood.
fn check_listen_prints_everything(wsdeck: &PathBuf, url: &str, count: u64, extra: &[&str]) {
    let output = wsdeck_listen(wsdeck, url, count)
        .args(extra)
        .stderr(Stdio::inherit())
        .output()
        .expect("wsdeck listen runs");
    let lines = output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(
        lines as u64, count,
        "wsdeck listen printed {lines} of {count} messages"
    );
}

/// This bench binary in one of its hidden modes.
fn self_command(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command.args(args);
    command
}

/// Wall time from spawn to a successful exit, stdout to /dev/null.
fn time(mut command: Command) -> Duration {
    let started = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("spawn");
    let elapsed = started.elapsed();
    assert!(status.success(), "{command:?} failed: {status}");
    elapsed
}

/// Wall time and stdout of a successful run.
fn time_output(mut command: Command) -> (Duration, String) {
    let started = Instant::now();
    let output = command.stderr(Stdio::inherit()).output().expect("spawn");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        output.status
    );
    (
        elapsed,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Wall time of a run fed `input` on stdin.
fn time_with_input(mut command: Command, input: &str) -> Duration {
    use std::io::Write;
    let started = Instant::now();
    let mut child = command.stdout(Stdio::null()).spawn().expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{input}");
    }
    let status = child.wait().expect("wait");
    let elapsed = started.elapsed();
    assert!(status.success(), "{command:?} failed: {status}");
    elapsed
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The release wsdeck binary next to this bench (cargo builds it for benches).
fn wsdeck_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_wsdeck"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --release` first",
        path.display()
    );
    path
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|path| path.is_file())
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The limit's listen: connect and count `count` data messages, nothing else.
fn limit_listen(url: &str, count: u64) {
    client_runtime().block_on(async {
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(64 << 20))
            .max_frame_size(Some(64 << 20));
        let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .expect("limit connects");
        let mut received = 0u64;
        while received < count {
            match socket.next().await {
                Some(Ok(Message::Text(_) | Message::Binary(_))) => received += 1,
                Some(Ok(_)) => {}
                other => panic!("limit: stream ended after {received}: {other:?}"),
            }
        }
    });
}

/// The limit's request: connect, send, wait for the first reply, print the round
/// trip in milliseconds, close.
fn limit_request(url: &str, message: &str) {
    client_runtime().block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connects");
        let sent = Instant::now();
        socket.send(Message::text(message)).await.expect("send");
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(_) | Message::Binary(_))) => break,
                Some(Ok(_)) => {}
                other => panic!("limit: no reply: {other:?}"),
            }
        }
        println!("{:.4}", sent.elapsed().as_secs_f64() * 1e3);
        let _ = socket.close(None).await;
    });
}

/// Runs the firehose alone and prints its flood URL pattern (for `perf` by hand).
fn serve_firehose() {
    client_runtime().block_on(async {
        let address = firehose::start().await;
        println!("{}", firehose::url(address, 200_000, 100));
        std::future::pending::<()>().await;
    });
}
