//! Runs the real wsdeck binary: stdin closed, output captured, a bounded wait (the
//! child is killed and the test fails past it), and a clean environment: none of
//! the test process's `WSDECK_*` variables (tokens, config and data directories)
//! and no backtraces, plus whatever variables the test sets itself.
//!
//! The binary is the one cargo built for this test crate, or `$WSDECK_BIN` when that
//! is set: CI runs the pseudo-terminal tests against the release build that way,
//! without building the test crate a second time in release.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one run may take before it is killed and the test fails.
pub const LIMIT: Duration = Duration::from_secs(30);

/// The wsdeck executable under test: `$WSDECK_BIN` if set, else cargo's build of it.
pub fn wsdeck_path() -> PathBuf {
    match std::env::var_os("WSDECK_BIN").filter(|path| !path.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_wsdeck")),
    }
}

/// The variables a test's child must not inherit: every `WSDECK_*` (one test may
/// point `WSDECK_CONFIG_DIR` at a temp dir while others run in the same process)
/// the backtrace switches (a backtrace would change what a failure prints) and
/// `NO_COLOR` (a developer's would take the colours tests look for) and the proxy
/// variables (a developer's proxy would carry the tests' loopback connections).
pub fn inherited_variables_to_drop() -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().starts_with("WSDECK_"))
        .collect();
    names.extend([
        "RUST_BACKTRACE".into(),
        "RUST_LIB_BACKTRACE".into(),
        "NO_COLOR".into(),
    ]);
    for name in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
        names.extend([name.into(), name.to_ascii_uppercase().into()]);
    }
    names
}

/// `wsdeck ARGS…` ready to run: stdin closed, stdout and stderr piped, and the clean
/// environment described in the module doc. Set more with `.env(…)` before running.
pub fn wsdeck(args: &[&str]) -> Command {
    clean_command(wsdeck_path(), args)
}

/// `program ARGS…` ready to run the way [`wsdeck`] runs wsdeck (a shell sourcing a
/// script that calls wsdeck back, say).
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in inherited_variables_to_drop() {
        command.env_remove(name);
    }
    command
}

/// What a finished run left behind.
#[derive(Debug)]
pub struct Run {
    /// The command line, for failure messages.
    pub what: String,
    /// The exit code (-1 when a signal ended the process).
    pub code: i32,
    /// Everything written to stdout (empty when stdout was not piped).
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// From start to exit.
    pub elapsed: Duration,
}

impl Run {
    /// Fails the test, showing the run, unless it exited with `code`.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code of {}: {self:#?}", self.what);
        self
    }

    /// Fails the test, showing the run, unless it exited with 0.
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// Fails the test if `secret` appears on stdout or stderr.
    pub fn assert_secret_absent(&self, secret: &str) {
        assert!(!self.stdout.contains(secret), "secret on stdout: {self:#?}");
        assert!(!self.stderr.contains(secret), "secret on stderr: {self:#?}");
    }

    /// No panic message, no backtrace hint, on either stream.
    pub fn assert_no_panic(&self) {
        for text in [&self.stdout, &self.stderr] {
            let lower = text.to_lowercase();
            assert!(!lower.contains("panicked"), "panic in {self:#?}");
            assert!(!lower.contains("backtrace"), "backtrace in {self:#?}");
        }
    }

    /// Failed the way bad input should: no panic, nothing on stdout, one line on
    /// stderr.
    pub fn assert_one_line_error(&self) {
        self.assert_no_panic();
        assert_eq!(self.stdout, "", "{self:#?}");
        assert_eq!(self.stderr.lines().count(), 1, "{self:#?}");
    }

    /// The lines written to stdout.
    pub fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// A child that is killed (and reaped) when dropped, so a failing test leaves
/// nothing running.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Reads a pipe to the end on its own thread ("" when there is no pipe).
pub fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// Runs `command` to its end; kills the child and fails the test after [`LIMIT`].
pub fn finish_blocking(mut command: Command) -> Run {
    let what = format!("{command:?}");
    let started = Instant::now();
    let mut child = Reaped(command.spawn().expect("spawn wsdeck"));
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let status = wait_within_limit(child, started, &what);
    let elapsed = started.elapsed();
    Run {
        what,
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed,
    }
}

/// Waits for `child`, started at `started`; kills it and fails the test (naming
/// `what`) after [`LIMIT`].
pub fn wait_within_limit(
    mut child: Reaped,
    started: Instant,
    what: &str,
) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.0.try_wait().expect("poll wsdeck") {
            return status;
        }
        if started.elapsed() > LIMIT {
            drop(child);
            panic!("{what} did not finish within {LIMIT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// [`finish_blocking`] off the async worker threads, so in-process servers keep
/// running while the child does.
pub async fn finish(command: Command) -> Run {
    tokio::task::spawn_blocking(move || finish_blocking(command))
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}

/// `wsdeck ARGS…` with `env` set, run to its end (see [`wsdeck`] and [`finish`]).
pub async fn run_wsdeck(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = wsdeck(args);
    command.envs(env.iter().copied());
    finish(command).await
}
