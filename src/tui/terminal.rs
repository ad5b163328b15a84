//! The terminal while the TUI runs: raw mode, the alternate screen and mouse
//! capture on entry; everything restored on exit, on error (a guard's drop), on
//! panic (a hook that restores, then calls the previous hook) and on a termination
//! signal (SIGINT from another process, SIGTERM, SIGHUP, SIGQUIT: the screens that
//! wait for input also wait for [`terminated`] and leave as on `q`, and the binary
//! then exits with 128 + the signal's number); suspend on Ctrl-Z.

use std::io::{self, Stdout, Write};
use std::sync::{Once, OnceLock};

use ratatui::layout::Size;
use tokio::sync::watch;
use tokio::time::Instant;

use super::event_loop::Surface;
use crate::state::app::AppState;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// The terminal type the TUI draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped, whatever path leaves the TUI.
pub struct TerminalGuard {
    terminal: Tui,
}

impl TerminalGuard {
    /// Enters raw mode, the alternate screen and mouse capture, and from then on
    /// catches termination signals (see [`terminated`]). Needs a tokio runtime.
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        let _ = termination();
        setup()?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(Self { terminal })
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.terminal
    }

    /// Ctrl-Z: gives the terminal back to the shell, stops the process, and takes
    /// the terminal again when the shell resumes it (`fg`).
    pub fn suspend(&mut self) -> io::Result<()> {
        restore()?;
        #[cfg(unix)]
        // SAFETY: raise only sends a signal to this process; SIGTSTP's default
        // action stops it until SIGCONT, after which raise returns.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        setup()?;
        self.terminal.clear()
    }
}

impl Surface for TerminalGuard {
    fn size(&mut self) -> io::Result<Size> {
        self.terminal.size()
    }

    fn draw(&mut self, state: &AppState, now: Instant) -> io::Result<()> {
        self.terminal
            .draw(|frame| crate::ui::screen::draw(frame, state, now))
            .map(drop)
    }

    fn suspend(&mut self) -> io::Result<()> {
        TerminalGuard::suspend(self)
    }

    /// OSC 52: the terminal puts the text on the clipboard, also over SSH.
    fn copy_to_clipboard(&mut self, text: &str) {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let mut stdout = io::stdout();
        let _ = write!(stdout, "\x1b]52;c;{encoded}\x07");
        let _ = stdout.flush();
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

fn setup() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        // Terminals with the kitty keyboard protocol then tell Shift-Enter from Enter;
        // the others ignore the request.
        PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
    )?;
    Ok(())
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
pub fn restore() -> io::Result<()> {
    let mut stdout = io::stdout();
    let left = execute!(
        stdout,
        PopKeyboardEnhancementFlags,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let raw = disable_raw_mode();
    let _ = stdout.flush();
    left.and(raw)
}

/// A panic restores the terminal before the message prints, so it is readable and
/// the shell is usable.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
}

/// The number of the termination signal received so far (0: none), shared by every
/// screen that waits for input. Set up once, on the first [`termination`].
static TERMINATION: OnceLock<watch::Sender<i32>> = OnceLock::new();

/// A receiver for [`terminated`]. The first call makes SIGINT, SIGTERM, SIGHUP and
/// SIGQUIT be caught for the rest of the process: without that, a `kill -INT` from
/// another process would end it with the terminal still raw. (Ctrl-C typed in the
/// TUI is a key in raw mode, not a signal.) Needs a tokio runtime.
pub fn termination() -> watch::Receiver<i32> {
    TERMINATION
        .get_or_init(|| {
            let (sender, _) = watch::channel(0);
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                for (kind, number) in [
                    (SignalKind::interrupt(), libc::SIGINT),
                    (SignalKind::terminate(), libc::SIGTERM),
                    (SignalKind::hangup(), libc::SIGHUP),
                    (SignalKind::quit(), libc::SIGQUIT),
                ] {
                    if let Ok(mut stream) = signal(kind) {
                        tokio::spawn(async move {
                            while stream.recv().await.is_some() {
                                if let Some(sender) = TERMINATION.get() {
                                    sender.send_replace(number);
                                }
                            }
                        });
                    }
                }
            }
            sender
        })
        .subscribe()
}

/// Waits until a termination signal has come (at once if one came already) and
/// returns its number.
pub async fn terminated(receiver: &mut watch::Receiver<i32>) -> i32 {
    // The guard `wait_for` returns is let go before anything else is awaited, so
    // that the loops waiting here can run on any thread.
    let received = receiver
        .wait_for(|number| *number != 0)
        .await
        .map(|number| *number);
    match received {
        Ok(number) => number,
        // The sender lives in a static and is never dropped.
        Err(_) => std::future::pending().await,
    }
}

/// The termination signal that was received, if any: the binary exits with 128 +
/// this number once the TUI has restored the terminal and closed with 1000.
pub fn termination_signal() -> Option<i32> {
    TERMINATION
        .get()
        .map(|sender| *sender.borrow())
        .filter(|number| *number != 0)
}
