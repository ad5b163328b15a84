//! The pty driver: the real wsdeck binary in a pseudo-terminal, its output read
//! through a VT100 emulator, keys written as a person types them. The binary gets
//! the clean environment of [`super::binary`] plus `TERM` and a data directory of
//! its own.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::binary::{inherited_variables_to_drop, wsdeck_path};

/// The longest any single wait may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// A running binary in a pty, with the screen it draws.
pub struct PtyApp {
    /// The screen as a VT100 terminal shows it.
    pub screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the binary wrote to the terminal.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    /// The binary's process.
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Disconnects when the reader thread has read the pty to its end.
    reader_finished: std::sync::mpsc::Receiver<()>,
}

impl PtyApp {
    /// Starts `wsdeck ARGS…` on a `rows`×`cols` terminal.
    pub fn start(args: &[&str], rows: u16, cols: u16) -> Self {
        Self::start_with_env(args, &[], rows, cols)
    }

    /// [`PtyApp::start`] with `env` set as well.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)], rows: u16, cols: u16) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut command = CommandBuilder::new(wsdeck_path());
        command.args(args);
        for name in inherited_variables_to_drop() {
            command.env_remove(name);
        }
        command.env("TERM", "xterm-256color");
        let data_dir = std::env::temp_dir().join(format!("wsdeck-e2e-{}", std::process::id()));
        command.env("WSDECK_DATA_DIR", data_dir);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("wsdeck starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (screen_in, raw_in) = (screen.clone(), raw.clone());
        // The master must stay open while the child runs; the reader thread owns it.
        let master = pty.master;
        let (reader_done, reader_finished) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            let _master = master;
            // Dropped when the loop ends: wait_exit then knows all output is in.
            let _reader_done = reader_done;
            let mut buffer = [0u8; 8192];
            while let Ok(read) = reader.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                screen_in.lock().unwrap().process(&buffer[..read]);
                raw_in.lock().unwrap().extend_from_slice(&buffer[..read]);
            }
        });
        Self {
            screen,
            raw,
            writer,
            child,
            reader_finished,
        }
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Types `text` in one write (a paste-fast typist).
    pub fn type_text(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Presses one key given as the bytes a terminal sends for it.
    pub fn key(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        // Give the app a moment so separate keys are not read as one escape sequence.
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

    /// Waits for the binary to exit; kills it and panics with the screen after
    /// [`WAIT`].
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // What the binary wrote last (restoring the terminal) may still be
                // on its way through the pty: wait until the reader has it all.
                let _ = self.reader_finished.recv_timeout(Duration::from_secs(2));
                return status;
            }
            if started.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("wsdeck did not exit; screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl PtyApp {
    /// Ctrl-C (quits at once, whatever is typed or connected) and a clean exit.
    pub fn quit(&mut self) {
        self.key(b"\x03");
        let status = self.wait_exit();
        assert!(
            status.success(),
            "exit {status:?}; screen:\n{}",
            self.contents()
        );
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// Keys as a terminal sends them.
pub const ENTER: &[u8] = b"\r";
pub const TAB: &[u8] = b"\t";
pub const ESC: &[u8] = b"\x1b";
pub const CTRL_X: &[u8] = b"\x18";
