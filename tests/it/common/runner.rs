//! The TUI's real event loop ([`wsdeck::tui::event_loop`]) on a `TestBackend`:
//! the test pushes terminal events into the loop's input stream and reads the
//! screen while the loop runs, against a real session on a loopback server. The
//! pty tests drive the binary; this drives the same loop without a terminal.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Size;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use wsdeck::app::{App, AppSetup};
use wsdeck::recording::Recorder;
use wsdeck::session::SessionConfig;
use wsdeck::state::app::AppState;
use wsdeck::tui::event_loop::{Connection, Input, Surface, event_loop};

use super::screen::{app_setup, screen_text};

/// What the loop drew and did, shared with the test while it runs.
#[derive(Clone)]
struct SharedScreen {
    terminal: Arc<Mutex<Terminal<TestBackend>>>,
    copied: Arc<Mutex<Vec<String>>>,
    draws: Arc<Mutex<usize>>,
}

impl Surface for SharedScreen {
    fn size(&mut self) -> io::Result<Size> {
        let terminal = self.terminal.lock().expect("screen lock");
        Ok(terminal.size().expect("a test backend has a size"))
    }

    fn draw(&mut self, state: &AppState, now: Instant) -> io::Result<()> {
        let mut terminal = self.terminal.lock().expect("screen lock");
        terminal
            .draw(|frame| wsdeck::ui::screen::draw(frame, state, now))
            .expect("a test backend draws");
        *self.draws.lock().expect("draw count lock") += 1;
        Ok(())
    }

    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn copy_to_clipboard(&mut self, text: &str) {
        self.copied
            .lock()
            .expect("clipboard lock")
            .push(text.to_owned());
    }
}

type InputStream = std::pin::Pin<Box<dyn Stream<Item = io::Result<TermEvent>> + Send>>;

/// The event loop running in a task on a session connected to a URL.
pub struct Runner {
    input: Option<mpsc::UnboundedSender<io::Result<TermEvent>>>,
    termination: watch::Sender<i32>,
    screen: SharedScreen,
    task: JoinHandle<(anyhow::Result<()>, App)>,
}

impl Runner {
    /// Starts a session for `config` (asked to connect, as the binary does) and the
    /// loop on a `width`×`height` screen, with the test app setup for its URL.
    pub fn start(config: SessionConfig, width: u16, height: u16) -> Runner {
        let setup = app_setup(config.url.as_str());
        Self::start_with(config, setup, width, height)
    }

    /// As [`Runner::start`], with the app set up as given.
    pub fn start_with(config: SessionConfig, setup: AppSetup, width: u16, height: u16) -> Runner {
        Self::start_recording(config, setup, width, height, None)
    }

    /// As [`Runner::start_with`], the session recorded by `recorder` (finished
    /// when the loop ends).
    pub fn start_recording(
        config: SessionConfig,
        setup: AppSetup,
        width: u16,
        height: u16,
        mut recorder: Option<Recorder>,
    ) -> Runner {
        let (handle, mut events) = super::connected_session(config);
        let mut app = App::new(AppSetup {
            ids: handle.ids(),
            ..setup
        });
        let screen = SharedScreen {
            terminal: Arc::new(Mutex::new(
                Terminal::new(TestBackend::new(width, height)).expect("test terminal"),
            )),
            copied: Arc::default(),
            draws: Arc::default(),
        };
        let (input, received) = mpsc::unbounded_channel();
        let terminal_events: InputStream = Box::pin(futures_util::stream::unfold(
            received,
            |mut received| async {
                let event = received.recv().await?;
                Some((event, received))
            },
        ));
        let (termination, termination_received) = watch::channel(0);
        let mut surface = screen.clone();
        let task = tokio::spawn(async move {
            let input = Input {
                terminal_events,
                termination: termination_received,
            };
            let connection = Connection {
                handle: &handle,
                events: &mut events,
                profile: None,
                recorder: recorder.as_mut(),
            };
            let result = event_loop(&mut surface, input, &mut app, connection).await;
            let _ = handle.shutdown();
            if let Some(recorder) = recorder {
                recorder.finish().await;
            }
            (result, app)
        });
        Runner {
            input: Some(input),
            termination,
            screen,
            task,
        }
    }

    /// Sends one terminal event to the loop.
    pub fn event(&self, event: TermEvent) {
        if let Some(input) = &self.input {
            let _ = input.send(Ok(event));
        }
    }

    /// Presses a key with modifiers.
    pub fn key_with(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.event(TermEvent::Key(KeyEvent::new(code, modifiers)));
    }

    /// Presses a key.
    pub fn key(&self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    /// Types text, one key per character.
    pub fn type_text(&self, text: &str) {
        for character in text.chars() {
            self.key(KeyCode::Char(character));
        }
    }

    /// Resizes the screen as a terminal would: the backend's size, then the event.
    pub fn resize(&self, width: u16, height: u16) {
        self.screen
            .terminal
            .lock()
            .expect("screen lock")
            .backend_mut()
            .resize(width, height);
        self.event(TermEvent::Resize(width, height));
    }

    /// Ends the input stream, as a closed terminal does.
    pub fn end_input(&mut self) {
        self.input = None;
    }

    /// Delivers a termination signal (SIGTERM's number) to the loop.
    pub fn terminate(&self) {
        self.termination.send_replace(libc::SIGTERM);
    }

    /// The screen's text as last drawn.
    pub fn screen(&self) -> String {
        let terminal = self.screen.terminal.lock().expect("screen lock");
        screen_text(terminal.backend().buffer())
    }

    /// How many times the loop has drawn.
    pub fn draws(&self) -> usize {
        *self.screen.draws.lock().expect("draw count lock")
    }

    /// What the loop put on the clipboard.
    pub fn copied(&self) -> Vec<String> {
        self.screen.copied.lock().expect("clipboard lock").clone()
    }

    /// Waits until the screen shows `text`; panics with the screen after
    /// [`super::WAIT`].
    pub async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + super::WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits for the loop to end by itself and returns its result and the app.
    pub async fn finished(self) -> (anyhow::Result<()>, App) {
        tokio::time::timeout(super::WAIT, self.task)
            .await
            .expect("the loop ends")
            .expect("the loop's task does not panic")
    }

    /// Whether the loop has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}
