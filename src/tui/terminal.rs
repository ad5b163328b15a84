//! The terminal while the TUI runs: raw mode, the alternate screen and mouse
//! capture on entry; everything restored on exit, on error (a guard's drop), on
//! panic (a hook that restores, then calls the previous hook) and on a termination
//! signal (SIGINT from another process, SIGTERM, SIGHUP, SIGQUIT: the screens that
//! wait for input also wait for [`terminated`] and leave as on `q`, and the binary
//! then exits with 128 + the signal's number); suspend on Ctrl-Z.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Duration;

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
    #[cfg(unix)]
    last_resort::install();
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
                                tokio::spawn(leave_if_unanswered(number));
                            }
                        });
                    }
                }
            }
            sender
        })
        .subscribe()
}

/// Set once a screen has seen the termination signal and is leaving.
static TERMINATION_SEEN: AtomicBool = AtomicBool::new(false);

/// How long a screen has to take a termination signal before the process leaves
/// without it.
const TERMINATION_ANSWER: Duration = Duration::from_secs(2);

/// A screen stuck in one long update (a jq program that never ends) cannot see
/// the signal: after [`TERMINATION_ANSWER`] the terminal is restored from here
/// and the process exits with 128 + the signal's number, without closing the
/// session cleanly, rather than leaving a frozen screen that ignores Ctrl-C.
async fn leave_if_unanswered(number: i32) {
    tokio::time::sleep(TERMINATION_ANSWER).await;
    if TERMINATION_SEEN.load(Ordering::SeqCst) {
        return;
    }
    let _ = restore();
    crate::commands::output::report(
        "the screen did not answer the termination signal within 2 s (busy in a long jq program?); left without closing the session",
    );
    std::process::exit(128 + number);
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
        Ok(number) => {
            TERMINATION_SEEN.store(true, Ordering::SeqCst);
            number
        }
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

/// When the process aborts (a stack overflow, from a jq program that recurses
/// without end, is one way), no panic hook runs: a SIGABRT handler puts the
/// terminal back as it was before the TUI (saved termios, alternate screen left,
/// mouse and paste modes off, cursor shown), then lets the abort go on.
#[cfg(unix)]
mod last_resort {
    use std::sync::{Once, OnceLock};

    /// The terminal's settings before raw mode, and the descriptor they belong to.
    static SAVED: OnceLock<(libc::c_int, libc::termios)> = OnceLock::new();

    /// What [`super::restore`] sends, as bytes: keyboard flags popped, bracketed
    /// paste and mouse reporting off, the main screen back, the cursor shown.
    const LEAVE: &[u8] = b"\x1b[<1u\x1b[?2004l\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h\r\n";

    const MESSAGE: &[u8] = b"wsdeck: aborted: a stack overflow (a jq program that recursed without end?) or an internal error; the terminal was restored\n";

    /// Saves the terminal's settings (once) and installs the handler.
    pub fn install() {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO, libc::STDERR_FILENO] {
                // SAFETY: termios is plain data; tcgetattr fills it or fails.
                let mut termios: libc::termios = unsafe { std::mem::zeroed() };
                if unsafe { libc::isatty(fd) } == 1
                    && unsafe { libc::tcgetattr(fd, &mut termios) } == 0
                {
                    let _ = SAVED.set((fd, termios));
                    break;
                }
            }
            // SAFETY: the handler only calls async-signal-safe functions (tcsetattr,
            // write, raise) and reads a value set before it was installed.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_abort as *const () as usize;
                action.sa_flags = libc::SA_ONSTACK | libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(libc::SIGABRT, &action, std::ptr::null_mut());
            }
        });
    }

    extern "C" fn on_abort(signal: libc::c_int) {
        // SAFETY: async-signal-safe calls only; SA_RESETHAND put the default action
        // back, so the raise ends the process as the abort meant to.
        unsafe {
            if let Some((fd, termios)) = SAVED.get() {
                libc::tcsetattr(*fd, libc::TCSANOW, termios);
            }
            libc::write(libc::STDOUT_FILENO, LEAVE.as_ptr().cast(), LEAVE.len());
            libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::raise(signal);
        }
    }
}
