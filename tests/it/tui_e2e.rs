//! End-to-end: the real `wsdeck` binary in a pseudo-terminal, read through a VT100
//! emulator, driven by keystrokes as a person would. Only 127.0.0.1 is involved:
//! `wsdeck demo` starts its own server on a free loopback port, a scripted Home
//! Assistant stands in for the real one, and the reference servers of tests/peers
//! (Socket.IO 4 and 2, graphql-ws, subscriptions-transport-ws) run on loopback.

use crate::common;

use std::time::Duration;

use common::binary::{finish_blocking, wsdeck};
use common::peer::{close_code_recorder, messages_then_close};
use common::pty::{CTRL_X, ENTER, ESC, PtyApp, TAB, WAIT};
use tokio_tungstenite::tungstenite::Message;

#[test]
fn demo_echo_inspect_close_with_4000_and_restore_the_terminal() {
    // Not recorded, so that quitting would lose the log (and asks).
    let mut app = PtyApp::start(&["demo", "--no-record"], 40, 120);
    app.wait_for("the demo to connect", |s| s.contains("connected"));
    assert!(app.screen.lock().unwrap().screen().alternate_screen());

    app.type_text(r#"{"hello":1}"#);
    app.key(ENTER);
    app.wait_for("the message and its echo", |s| {
        s.matches(r#""hello""#).count() >= 2 && s.contains('→') && s.contains('←')
    });

    // Tab to the log, Enter inspects the newest message (the echo).
    app.key(TAB);
    app.key(ENTER);
    app.wait_for("the inspector", |s| {
        s.contains("inspector") || s.contains("Inspector")
    });
    app.key(ESC);

    // Ctrl-X: the close dialog; pick a custom code 4000 and close.
    app.key(CTRL_X);
    app.wait_for("the close dialog", |s| {
        s.contains("1000") && s.contains("Normal Closure")
    });
    close_dialog_choose_4000(&mut app);
    app.wait_for("4000 in the state pane", |s| {
        s.contains("4000 Private use") || s.contains("4000 ")
    });

    // A stray q asks first: the log would be lost.
    app.key(b"q");
    app.wait_for("the question", |s| s.contains("q or y quits"));
    app.key(b"y");
    let status = app.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert_alternate_screen_left(&app);
}

/// Asserts the alternate screen was left after it was last entered and the emulator
/// is back on the main screen; returns everything the TUI wrote.
fn assert_alternate_screen_left(app: &PtyApp) -> String {
    let raw = app.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    let entered = text
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = text
        .rfind("\x1b[?1049l")
        .expect("left the alternate screen");
    assert!(left > entered, "the alternate screen was left last");
    assert!(!app.screen.lock().unwrap().screen().alternate_screen());
    text.into_owned()
}

/// The bottom line's first word: where keys go now.
fn mode_line(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

#[test]
fn a_newcomers_path_send_tab_a_stray_q_colon_commands_and_quit_with_confirmation() {
    let mut app = PtyApp::start(&["demo"], 40, 120);
    app.wait_for("the demo to connect", |s| s.contains("● connected"));
    assert!(mode_line(&app.contents()).starts_with("COMPOSE"));

    app.type_text(r#"{"first":1}"#);
    app.key(ENTER);
    app.wait_for("the echo", |s| s.matches(r#""first""#).count() >= 2);

    // Tab: the log has focus, and the bottom line says so.
    app.key(TAB);
    let screen = app.wait_for("log focus", |s| mode_line(s).starts_with("LOG"));
    assert!(screen.contains("▶ log"), "{screen}");

    // A stray q asks and does not quit; another key stays.
    app.key(b"q");
    app.wait_for("the question", |s| s.contains("q or y quits"));
    app.key(b"i");
    let screen = app.wait_for("the composer again", |s| {
        mode_line(s).starts_with("COMPOSE")
    });
    assert!(!screen.contains("q or y quits"), "{screen}");
    assert!(
        app.child.try_wait().unwrap().is_none(),
        "wsdeck quit on a stray q"
    );

    // :disconnect then :connect typed in the composer run as commands.
    app.type_text(":disconnect");
    app.wait_for("the hint that Enter runs it", |s| {
        s.contains("Enter runs :disconnect")
    });
    app.key(ENTER);
    app.wait_for("disconnected", |s| s.contains("● disconnected"));
    app.type_text(":connect");
    app.key(ENTER);
    let screen = app.wait_for("connected again", |s| s.contains("● connected"));
    assert!(
        !screen.contains(r#"":connect""#),
        "sent as a message: {screen}"
    );
    assert!(!screen.contains("→ text   :connect"), "{screen}");

    // Quit from the log, confirming.
    app.key(TAB);
    app.key(b"q");
    app.wait_for("the question", |s| s.contains("q or y quits"));
    app.key(b"y");
    let status = app.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn a_keys_toml_rebinds_the_tui_and_a_broken_one_stops_it_before_it_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().to_str().expect("utf-8 path").to_string();
    std::fs::write(
        dir.path().join("keys.toml"),
        "[log]\nquit = \"ctrl-q\"\n[global]\nswitch-focus = \"f6\"\n",
    )
    .expect("keys.toml written");
    let mut app = PtyApp::start_with_env(&["demo"], &[("WSDECK_CONFIG_DIR", &config)], 40, 120);
    app.wait_for("the demo to connect", |s| s.contains("● connected"));
    app.type_text("[1]");
    app.key(ENTER);
    app.wait_for("the echo", |s| s.contains("← text"));
    app.key(b"\x1b[17~"); // F6
    let screen = app.wait_for("log focus", |s| mode_line(s).starts_with("LOG"));
    assert!(mode_line(&screen).contains("Ctrl-Q quit"), "{screen}");
    app.key(b"q");
    app.key(b"\x11"); // Ctrl-Q
    app.wait_for("the question", |s| s.contains("Ctrl-Q or y quits"));
    app.key(b"y");
    assert!(app.wait_exit().success());

    std::fs::write(dir.path().join("keys.toml"), "[log]\nquitt = \"q\"\n").expect("written");
    let mut broken = PtyApp::start_with_env(&["demo"], &[("WSDECK_CONFIG_DIR", &config)], 24, 100);
    let status = broken.wait_exit();
    assert_eq!(status.exit_code(), 2, "screen:\n{}", broken.contents());
    let screen = broken.wait_for("the error", |s| {
        s.contains("keys.toml:2:1: unknown action 'quitt'")
    });
    assert!(!screen.contains("connected"), "{screen}");
}

/// Moves through the close dialog to a custom code of 4000 with a reason.
fn close_dialog_choose_4000(app: &mut PtyApp) {
    // The code field follows the list; type the code there, then a reason.
    app.key(TAB);
    app.type_text("4000");
    std::thread::sleep(Duration::from_millis(60));
    app.key(TAB);
    app.type_text("demo done");
    std::thread::sleep(Duration::from_millis(60));
    app.key(ENTER);
}

/// The profile issue's "done when", second half: `wsdeck -p ha` opens the TUI on the
/// profile, runs Home Assistant's auth flow (the state pane says authenticated), and a
/// command typed without an id gets id 1 and its result decoded, never showing the
/// token.
#[test]
fn a_profile_opens_connected_and_authenticated() {
    use common::transcript::{ScriptedServer, parse};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut steps = parse(include_str!("../fixtures/transcripts/home_assistant.txt"));
    steps.truncate(5);
    let server = runtime.block_on(ScriptedServer::start(steps, "/api/websocket"));
    let config_dir = tempfile::tempdir().expect("temp dir");
    let dir = config_dir.path().display().to_string();
    let new_profile = ["profiles", "new", "ha", "--preset", "home-assistant"];
    let mut create = wsdeck(&new_profile);
    create
        .args(["--url", &server.url])
        .env("WSDECK_CONFIG_DIR", &dir);
    finish_blocking(create).assert_success();

    let env = [
        ("WSDECK_CONFIG_DIR", dir.as_str()),
        ("HA_TOKEN", "ha-e2e-secret"),
    ];
    let mut app = PtyApp::start_with_env(&["-p", "ha"], &env, 40, 160);
    app.wait_for("the auth flow to finish", |s| s.contains("authenticated"));
    app.type_text(r#"{"type":"get_states"}"#);
    app.key(ENTER);
    let screen = app.wait_for("the decoded result", |s| s.contains("result #1 ok"));
    assert!(
        screen.contains("home-assistant"),
        "the provider is shown:\n{screen}"
    );

    app.key(b"\x03");
    let status = app.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
    assert!(
        !raw.contains("ha-e2e-secret"),
        "the token was drawn on screen"
    );
    let replay = runtime.block_on(server.finished());
    assert!(
        replay.received[0].contains("ha-e2e-secret"),
        "{:?}",
        replay.received
    );
    assert!(
        replay
            .received
            .iter()
            .any(|frame| frame.contains(r#""id":1"#)),
        "{:?}",
        replay.received
    );
}

#[test]
fn bad_input_to_the_tui_exits_2_with_a_suggestion() {
    let mut app = PtyApp::start(&["localhost:1/x"], 24, 80);
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 2, "screen:\n{}", app.contents());
    let screen = app.wait_for("the suggestion", |screen| {
        screen.contains("did you mean ws://localhost:1/x")
    });
    assert!(!screen.contains("profile"), "{screen}");
}

#[test]
fn apollo_legacy_reference_server_subscription_in_the_tui() {
    let peer = common::peers::NodePeer::start("apollo-legacy.js", &[]);
    let url = peer.url("/graphql");
    let mut app = PtyApp::start(&["--provider", "apollo-legacy", &url], 40, 160);
    app.wait_for("the handshake", |s| s.contains("authenticated"));
    app.type_text("subscription { countdown(from: 2) }");
    app.key(ENTER);
    let screen = app.wait_for("the subscription to complete", |s| {
        s.contains("apollo complete #")
    });
    assert!(screen.contains("apollo data #"), "{screen}");
    app.key(b"\x03");
    assert!(app.wait_exit().success());
}

/// Sends `signal` to the TUI's process as another process would (`kill -INT PID`).
fn send_signal(app: &PtyApp, signal: i32) {
    let pid = app.child.process_id().expect("a pid");
    // SAFETY: kill only sends a signal to the child this test started.
    let sent = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(sent, 0, "kill failed");
}

/// Asserts the terminal was given back: alternate screen left after it was last
/// entered, mouse tracking off, the emulator back on the main screen.
fn assert_terminal_restored(app: &PtyApp) {
    let text = assert_alternate_screen_left(app);
    let mouse_off = text
        .rfind("\x1b[?1000l")
        .expect("mouse tracking turned off");
    assert!(
        mouse_off > text.rfind("\x1b[?1000h").expect("mouse tracking was on"),
        "mouse tracking was turned off last"
    );
}

/// `kill -INT` from another process: the TUI restores the terminal, closes with
/// 1000 and exits with 130 (before, SIGINT's default action killed it with the
/// terminal still raw, in the alternate screen and tracking the mouse).
#[test]
fn sigint_from_another_process_restores_the_terminal_closes_with_1000_and_exits_130() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let (url, close_code) = runtime.block_on(close_code_recorder(Vec::new()));
    let config_dir = tempfile::tempdir().expect("temp dir");
    let dir = config_dir.path().display().to_string();
    let mut app = PtyApp::start_with_env(&[&url], &[("WSDECK_CONFIG_DIR", &dir)], 40, 120);
    app.wait_for("the TUI to connect", |s| s.contains("connected to"));
    send_signal(&app, libc::SIGINT);
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 130, "exit status {status:?}");
    assert_terminal_restored(&app);
    let code = runtime
        .block_on(async { tokio::time::timeout(WAIT, close_code).await })
        .expect("the peer saw the link end")
        .expect("the peer reported");
    assert_eq!(code, Some(1000), "closed with 1000");
}

/// SIGTERM and SIGHUP leave the same way, with 143 and 129.
#[test]
fn sigterm_and_sighup_restore_the_terminal_and_exit_128_plus_the_signal() {
    for (signal, expected) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let mut app = PtyApp::start(&["demo"], 40, 120);
        app.wait_for("the demo to connect", |s| s.contains("connected"));
        send_signal(&app, signal);
        let status = app.wait_exit();
        assert_eq!(status.exit_code(), expected, "signal {signal}: {status:?}");
        assert_terminal_restored(&app);
    }
}

/// `listen` on a terminal shows a payload's control and bidi characters escaped
/// (a title-setting OSC would otherwise run); `--raw` prints it as it came.
#[test]
fn listen_on_a_terminal_escapes_controls_unless_raw() {
    const PAYLOAD: &str = "a\u{1b}]0;pwned\u{7}b\u{9b}c\u{202e}d";
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    for raw in [false, true] {
        let url = runtime.block_on(messages_then_close(vec![Message::text(PAYLOAD)], 1000, ""));
        let mut args = vec!["listen", url.as_str(), "--no-reconnect"];
        if raw {
            args.push("--raw");
        }
        let mut app = PtyApp::start(&args, 10, 80);
        let status = app.wait_exit();
        assert!(status.success(), "{status:?}");
        // The reader thread may still be taking the last bytes.
        std::thread::sleep(Duration::from_millis(100));
        let text = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
        if raw {
            assert!(text.contains(PAYLOAD), "--raw: {text:?}");
        } else {
            assert!(
                text.contains(r"a\x1b]0;pwned\x07b\u009bc\u202ed"),
                "escaped: {text:?}"
            );
            for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
                assert!(!text.contains(c), "{c:?} reached the terminal: {text:?}");
            }
        }
    }
}

#[test]
fn a_short_token_is_refused_by_the_tui() {
    let mut app = PtyApp::start(
        &["ws://127.0.0.1:1/x", "--auth", "header", "--token", "t-123"],
        24,
        80,
    );
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 2, "screen:\n{}", app.contents());
    let screen = app.wait_for("the explanation", |screen| {
        screen.contains("the token is 5 characters") && screen.contains("use the real token")
    });
    assert!(!screen.contains("t-123"), "{screen}");
}

// The TUI against the reference servers (tests/peers), with URLs as people type
// them and `--provider` alone.

const ROWS: u16 = 40;
const COLS: u16 = 160;

/// The state pane: the left column of the screen, up to its border.
fn state_pane(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|line| line.split("││").next())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The log lines (right column) containing `needle`, in order.
fn log_lines<'a>(screen: &'a str, needle: &str) -> Vec<&'a str> {
    screen
        .lines()
        .filter_map(|line| line.split_once("││").map(|(_, log)| log))
        .filter(|log| log.contains(needle))
        .collect()
}

/// Starts the TUI on `url` with `--provider PROVIDER` and waits until the state pane
/// says authenticated and the screen shows `handshake_says`; returns that screen too.
fn start_authenticated(provider: &str, url: &str, handshake_says: &str) -> (PtyApp, String) {
    let app = PtyApp::start(&["--provider", provider, url], ROWS, COLS);
    let screen = app.wait_for("the handshake", |s| {
        state_pane(s).contains("● authenticated") && s.contains(handshake_says)
    });
    (app, screen)
}

/// Types `:ack add 2 3` in the composer and waits for the ack `430[5]`.
fn ask_for_the_ack_of_add_2_3(app: &mut PtyApp) -> String {
    app.type_text(":ack add 2 3");
    app.key(ENTER);
    app.wait_for("the ack", |s| s.contains("430[5]"))
}

#[test]
fn socket_io_4_from_a_bare_url_acks_what_is_typed() {
    let peer = common::peers::NodePeer::start("socketio.js", &[]);
    let completed = format!(
        "ws://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket",
        peer.port
    );
    let (mut app, screen) = start_authenticated(
        "socket-io",
        &format!("ws://127.0.0.1:{}", peer.port),
        "sio connected · sid",
    );
    // The pane is narrow: the URL is elided in the middle (`ws://127.0.0.1:…nsport=
    // websocket`); its end shows the completed query, the log has it whole.
    let pane = state_pane(&screen);
    let url_row = pane.lines().find(|row| row.contains("url ")).unwrap_or("");
    assert!(
        pane.contains("via   socket-io")
            && url_row.contains("ws://127.0.0.1:")
            && url_row.trim_end().ends_with("=websocket"),
        "the state pane shows the provider and the completed URL:\n{screen}"
    );
    assert!(
        screen.contains(&format!("connected to {completed}")),
        "the log says the URL used:\n{screen}"
    );

    // A typed event array goes out as an event.
    app.type_text(r#"["add",2,3]"#);
    app.key(ENTER);
    app.wait_for("the event sent", |s| s.contains(r#"42["add",2,3]"#));

    // Asking for the ack: :ack in the composer, answered with the sum and a latency.
    let screen = ask_for_the_ack_of_add_2_3(&mut app);
    let acks = log_lines(&screen, "sio ack #0");
    assert!(
        acks.len() == 1 && acks[0].contains(" ms · [5]"),
        "the ack is decoded with its latency:\n{screen}"
    );
    assert!(screen.contains(r#"420["add",2,3]"#), "{screen}");
    app.quit();
}

#[test]
fn socket_io_2_from_a_bare_http_url_pings_and_acks() {
    let peer = common::peers::NodePeer::start("socketio-v2.js", &[]);
    let (mut app, screen) = start_authenticated(
        "socket-io",
        &format!("http://127.0.0.1:{}", peer.port),
        "no sid (Socket.IO 2)",
    );
    assert!(
        screen.contains("http:// means ws://"),
        "the scheme change is said:\n{screen}"
    );
    // Engine.IO 3: the client pings every pingInterval (300 ms), the server answers.
    app.wait_for("two of our pings answered", |s| {
        log_lines(s, "sio pong").len() >= 2 && log_lines(s, "sio ping").len() >= 2
    });
    let screen = ask_for_the_ack_of_add_2_3(&mut app);
    assert!(state_pane(&screen).contains("● authenticated"), "{screen}");
    app.quit();
}

#[test]
fn graphql_ws_subscription_runs_to_complete() {
    let peer = common::peers::NodePeer::start("graphql-ws.js", &[]);
    let (mut app, screen) =
        start_authenticated("graphql-ws", &peer.url("/graphql"), "gql connection_ack");
    let pane = state_pane(&screen);
    assert!(
        pane.contains("proto graphql-transport-ws") && pane.contains("via   graphql-ws"),
        "--provider alone offers the subprotocol:\n{screen}"
    );

    app.type_text("subscription { countdown(from: 2) }");
    app.key(ENTER);
    let screen = app.wait_for("the subscription to complete", |s| {
        s.contains("gql complete #1")
    });
    let results: Vec<_> = log_lines(&screen, "gql next #1")
        .into_iter()
        .map(|line| {
            ["2", "1", "0"]
                .into_iter()
                .find(|n| line.contains(&format!("{{\"countdown\":{n}}}")))
                .unwrap_or("?")
        })
        .collect();
    assert_eq!(results, ["2", "1", "0"], "{screen}");
    assert_eq!(log_lines(&screen, "gql subscribe #1").len(), 1, "{screen}");
    // A finished subscription leaves the state pane.
    app.wait_for("the subscription gone from the state pane", |s| {
        !state_pane(s).contains("sub #1")
    });
    app.quit();
}

#[test]
fn graphql_ws_refused_token_stops_with_4403() {
    let peer = common::peers::NodePeer::start("graphql-ws.js", &["--token", "right-token"]);
    let mut app = PtyApp::start(
        &[
            "--provider",
            "graphql-ws",
            "--token",
            "wrong-token",
            &peer.url("/graphql"),
        ],
        ROWS,
        COLS,
    );
    // The whole refusal, "not retried" included: a screen read mid-draw has only
    // part of the status line.
    app.wait_for("the refusal", |s| {
        state_pane(s).contains("● error")
            && s.contains("4403 Forbidden")
            && s.contains("not retried")
    });
    // A second later: still stopped, no reconnect attempted, the token not shown.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let screen = app.contents();
    assert!(
        !screen.contains("reconnecting") && log_lines(&screen, "connecting…").len() == 1,
        "{screen}"
    );
    assert!(!screen.contains("wrong-token"), "{screen}");
    app.quit();
}

/// `--provider NAME` without a URL opens that preset's form with its placeholder
/// URL selected: what is typed replaces it, and Ctrl-O connects without saving.
#[test]
fn provider_without_a_url_opens_the_presets_form_on_its_url() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime.block_on(common::echo_server());
    let config_dir = tempfile::tempdir().expect("temp dir");
    let env = [(
        "WSDECK_CONFIG_DIR",
        config_dir.path().to_str().expect("utf-8"),
    )];
    let mut app = PtyApp::start_with_env(&["--provider", "echo"], &env, ROWS, COLS);
    let form = app.wait_for("the echo preset's form", |s| s.contains("▶ url"));
    assert!(form.contains("new profile"), "{form}");
    assert!(
        !form.contains("open a connection"),
        "the picker came first: {form}"
    );
    app.type_text(&server.url());
    app.key(&[0x0f]); // Ctrl-O: connect without saving
    let screen = app.wait_for("connected", |s| s.contains("● connected"));
    assert!(screen.contains(&server.url()), "{screen}");
    assert!(
        std::fs::read_dir(config_dir.path()).map_or(true, |mut dir| dir.next().is_none()),
        "Ctrl-O saved a profile"
    );
    app.quit();
}

/// Opens the demo, sends a JSON message, waits for its echo and filters the log with
/// the jq program `program` (`f`, then `jq: PROGRAM`, Enter).
fn demo_filtered_with(program: &str) -> PtyApp {
    let mut app = PtyApp::start(&["demo", "--no-record"], 40, 120);
    app.wait_for("the demo to connect", |s| s.contains("connected"));
    app.type_text(r#"{"a":1}"#);
    app.key(ENTER);
    app.wait_for("the echo", |s| s.contains("← text"));
    app.key(TAB);
    app.wait_for("the log to have the keys", |s| {
        mode_line(s).starts_with("LOG")
    });
    app.type_text("f");
    app.type_text(&format!("jq: {program}"));
    app.key(ENTER);
    app
}

/// A jq program that recurses without end overflows the stack, which aborts the
/// process with no panic hook to run: the SIGABRT handler gives the terminal back
/// and says what happened.
#[test]
fn an_abort_from_a_runaway_jq_program_restores_the_terminal() {
    let mut app = demo_filtered_with("def f: 1 + f; f");
    let status = app.wait_exit();
    assert!(!status.success(), "{status:?}");
    assert_terminal_restored(&app);
    let text = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
    assert!(
        text.contains("wsdeck: aborted: a stack overflow"),
        "{text:?}"
    );
}

/// A jq program that never ends holds the screen in one update: a termination
/// signal from another window still ends it, within about two seconds, with the
/// terminal given back and 128 + the signal as the exit status.
#[test]
fn a_screen_stuck_in_a_jq_program_still_leaves_on_sigterm() {
    let mut app = demo_filtered_with("last(repeat(1))");
    // Give the filter time to start on the first message and stick there.
    std::thread::sleep(Duration::from_millis(500));
    send_signal(&app, libc::SIGTERM);
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 143, "{status:?}");
    assert_terminal_restored(&app);
    let text = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
    assert!(
        text.contains("did not answer the termination signal"),
        "{text:?}"
    );
}
