//! Runs the real wsdeck binary from async tests: stdin closed, output captured, a
//! clean environment (no token variables, no backtraces) plus the given variables.

use std::process::{Command, Stdio};
use std::time::Duration;

/// How long one run may take before the test fails.
const LIMIT: Duration = Duration::from_secs(30);

/// What a finished run printed.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl Output {
    /// Fails the test, showing both streams, unless the run exited with 0.
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.code, 0, "wsdeck failed: {self:#?}");
        self
    }

    /// Fails the test if `secret` appears on stdout or stderr.
    pub fn assert_secret_absent(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "secret leaked: {self:#?}"
        );
    }
}

/// `wsdeck ARGS…` with `env` set, off the async worker threads so in-process servers
/// keep running while it does.
pub async fn run_wsdeck(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wsdeck"));
    command
        .args(args)
        .stdin(Stdio::null())
        .env_remove("WSDECK_TOKEN")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    for (name, value) in env {
        command.env(name, value);
    }
    let what = format!("{command:?}");
    let run = tokio::task::spawn_blocking(move || command.output());
    let output = tokio::time::timeout(LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {LIMIT:?}"))
        .expect("join")
        .expect("run wsdeck");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
