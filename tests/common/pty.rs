//! The real `wsdeck` binary in a pseudo-terminal, read through a VT100 emulator and
//! driven by keystrokes as a person would (the approach of tests/tui_e2e.rs, shared).
//! Include it with `#[path = "common/pty.rs"] mod pty;`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// The longest any single wait may take.
pub const WAIT: Duration = Duration::from_secs(15);

pub const ENTER: &[u8] = b"\r";
pub const CTRL_C: &[u8] = b"\x03";

/// A running binary in a pty, with the screen it draws.
pub struct PtyApp {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    data_dir: PathBuf,
}

impl PtyApp {
    /// `wsdeck ARGS…` on a `rows`×`cols` terminal, with its own empty data directory
    /// and no token in the environment.
    pub fn start(args: &[&str], rows: u16, cols: u16) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_wsdeck"));
        command.args(args);
        command.env("TERM", "xterm-256color");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let data_dir = std::env::temp_dir().join(format!(
            "wsdeck-pty-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        command.env("WSDECK_DATA_DIR", &data_dir);
        command.env_remove("WSDECK_TOKEN");
        command.env_remove("RUST_BACKTRACE");
        let child = pty.slave.spawn_command(command).expect("wsdeck starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let screen_in = screen.clone();
        // The master must stay open while the child runs; the reader thread owns it.
        let master = pty.master;
        std::thread::spawn(move || {
            let _master = master;
            let mut buffer = [0u8; 8192];
            while let Ok(read) = reader.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                screen_in.lock().unwrap().process(&buffer[..read]);
            }
        });
        Self {
            screen,
            writer,
            child,
            data_dir,
        }
    }

    /// The screen's text, row by row.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Types `text` as one burst of keystrokes.
    pub fn type_text(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Presses one key (its bytes), then pauses so separate keys are not read as one
    /// escape sequence.
    pub fn key(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits until the screen satisfies `check`; panics with the screen otherwise.
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let contents = self.contents();
            if check(&contents) {
                return contents;
            }
            if started.elapsed() > WAIT {
                panic!("timed out waiting for {what}; screen:\n{contents}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to end; panics with the screen after [`WAIT`].
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("wsdeck did not exit; screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ctrl-C (quits at once, whatever is typed or connected) and a clean exit.
    pub fn quit(&mut self) {
        self.key(CTRL_C);
        let status = self.wait_exit();
        assert!(status.success(), "exit {status:?}; screen:\n{}", self.contents());
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
