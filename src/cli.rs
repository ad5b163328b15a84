//! The command line: subcommands and the connection flags they share, and how those
//! flags become a profile layer ([`ConnectionArgs::to_profile`]), and the profile,
//! preset and provider names a shell completes for them (`completion_candidates`).
//! Flag names follow wscat where wscat has one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::ArgValueCandidates;

use crate::config::profile::{AuthSettings, Profile, TlsSettings};
use crate::config::{secrets, template};
use crate::outcome::{Failure, FailureClass};
use crate::protocol::registry;
use crate::session::auth::AuthMethod;
use crate::session::config;
use crate::session::secret::Secret;
use crate::session::tls_verify::parse_pin;
use crate::units::{parse_duration, parse_size};

mod completion_candidates;

use completion_candidates::{preset_names, profile_names, provider_names};

/// Exit codes, shown in `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  unexpected internal error
  2  INVALID_INPUT       bad flag, URL, header, close code, profile or file (the TUI too)
  3  CONNECTION_ERROR    could not connect: DNS, refused, TLS, HTTP error, gave up retrying
  4  TIMEOUT_ERROR       no connection or no response within the timeout
  5  AUTH_ERROR          credentials refused (HTTP 401/403, close 1008 with or without a
                         token, an auth reply, a protocol's auth close such as 4403)
  6  PROTOCOL_ERROR      the peer broke the protocol (invalid UTF-8, an invalid close
                         frame, a subprotocol it requires), or a message was too big
  7  CLOSED              the link was lost or the server closed it before the exchange
                         finished";

/// wsdeck: the WebSocket client for debugging real-time systems.
#[derive(Debug, Parser)]
#[command(
    name = "wsdeck",
    version,
    about,
    after_help = EXIT_CODES_HELP,
    subcommand_negates_reqs = true,
    override_usage = "wsdeck [OPTIONS] [URL]\n       wsdeck <COMMAND> [ARGS]"
)]
pub struct Cli {
    /// What to do; without a command, the TUI opens on URL (or asks for one).
    #[command(subcommand)]
    pub command: Option<CommandLine>,
    /// ws:// or wss:// URL to open in the TUI.
    pub url: Option<String>,
    /// How many log entries the TUI keeps in memory (older ones are dropped from view).
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub log_capacity: u64,
    /// Write debug tracing (connects, handshakes, closes, reconnects, frame sizes) to
    /// PATH, appending, mode 0600; never to the terminal. Filter: WSDECK_LOG (default
    /// wsdeck=debug; wsdeck=trace adds frame sizes).
    #[arg(long, global = true, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub log_file: Option<PathBuf>,
    /// Do not record this TUI session (sessions are kept in the data directory's
    /// sessions/ folder; `wsdeck sessions` lists them).
    #[arg(long)]
    pub no_record: bool,
    /// Connection settings for the TUI.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl Cli {
    /// Parses the process's arguments, exiting with clap's message (and code 2) on a
    /// mistake. The TUI's flags and URL belong before a subcommand's name only when
    /// there is none: `wsdeck --token T request URL` is refused with a hint to write
    /// the flag after `request`. `--log-file` works on either side.
    pub fn parse_args() -> Cli {
        let mut command = Cli::command();
        let matches = command
            .try_get_matches_from_mut(std::env::args_os())
            .unwrap_or_else(|error| with_message_hint(error).exit());
        if let Err(error) = check_placement(&mut command, &matches) {
            error.exit();
        }
        Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}

/// A word after `request URL` that is no argument is most likely the message: the
/// error gets a tip that it goes after `-m`.
fn with_message_hint(mut error: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let command = Cli::command();
    let subcommand = std::env::args()
        .skip(1)
        .find(|word| command.find_subcommand(word).is_some());
    let stray = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(value)) if !value.starts_with('-') => value.clone(),
        _ => return error,
    };
    if error.kind() != ErrorKind::UnknownArgument || subcommand.as_deref() != Some("request") {
        return error;
    }
    let quoted = if stray.contains('\'') {
        stray
    } else {
        format!("'{stray}'")
    };
    error.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![
            format!("the message goes after -m: -m {quoted}").into(),
        ]),
    );
    error
}

/// Refuses the TUI's own arguments written before a subcommand, which that
/// subcommand would otherwise never see.
fn check_placement(
    command: &mut clap::Command,
    matches: &clap::ArgMatches,
) -> Result<(), clap::Error> {
    let Some(subcommand) = matches.subcommand_name() else {
        return Ok(());
    };
    let misplaced: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|arg| !arg.is_global_set())
        .filter(|arg| {
            matches.value_source(arg.get_id().as_str())
                == Some(clap::parser::ValueSource::CommandLine)
        })
        .collect();
    let Some(first) = misplaced.first() else {
        return Ok(());
    };
    let shown = |arg: &clap::Arg| match arg.get_long() {
        Some(long) => format!("--{long}"),
        None => arg.get_id().as_str().to_uppercase(),
    };
    // Subcommands are built on demand: build this one to see what it takes.
    let mut sub = command.find_subcommand(subcommand).cloned();
    if let Some(sub) = &mut sub {
        sub.build();
    }
    let takes = |arg: &clap::Arg| {
        sub.as_ref()
            .is_some_and(|sub| sub.get_arguments().any(|its| its.get_id() == arg.get_id()))
    };
    let message = if takes(first) {
        format!(
            "{} must come after the subcommand: wsdeck {subcommand} {} …",
            shown(first),
            shown(first)
        )
    } else {
        format!(
            "{} is for the TUI (wsdeck [OPTIONS] [URL]); `wsdeck {subcommand}` does not take it",
            shown(first)
        )
    };
    Err(command.error(clap::error::ErrorKind::ArgumentConflict, message))
}

/// The subcommands. Each one's arguments are only built when it is the one run
/// (`defer`): building every subcommand's parser nearly doubled what parsing
/// costs a one-shot `request` (78 page faults instead of 41, docs/PERFORMANCE.md).
/// A deferred subcommand takes its description from its arguments' doc comment,
/// so that comment repeats the variant's (the
/// `subcommand_descriptions_survive_deferred_building` test).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CommandLine {
    /// Start the built-in server on a free loopback port and open the TUI on it.
    Demo(DemoArgs),
    /// Run the built-in WebSocket server (echo, close-code demos, floods, auth).
    Serve(ServeArgs),
    /// Connect, send one message, print the response, close with 1000.
    #[command(after_help = EXIT_CODES_HELP)]
    Request(RequestArgs),
    /// Print received messages to stdout, one per line, reconnecting as configured.
    #[command(after_help = EXIT_CODES_HELP)]
    Listen(ListenArgs),
    /// Send messages (one-shot, no reconnect), then print replies for --wait or until the server closes.
    #[command(after_help = EXIT_CODES_HELP)]
    Send(SendArgs),
    /// Send a recording's outgoing messages to a server with their original timing, printing the replies.
    #[command(after_help = format!("{REPLAY_HELP}\n\n{EXIT_CODES_HELP}"))]
    Replay(ReplayArgs),
    /// Print the WebSocket close-code table: names, meanings, which can be sent.
    CloseCodes,
    /// Print the TUI's keys, with your keys.toml applied (checks it too).
    Keys(KeysArgs),
    /// Saved connections: list, show, new, edit, rm; built-in presets; the folder.
    Profiles {
        /// What to do.
        #[command(subcommand)]
        action: ProfilesAction,
    },
    /// Print a shell's completion script; profile and preset names are looked up as you type.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page, or write one page per command into a folder (--dir).
    Man(ManArgs),
    /// Open a recorded session in the TUI, read-only (or convert it with --export).
    Open(OpenArgs),
    /// List recorded sessions, newest first (ID, start, URL, profile, duration, frames, size); prune them.
    Sessions(SessionsArgs),
}

/// Open a recorded session in the TUI, read-only (or convert it with --export).
#[derive(Debug, Args)]
#[command(
    after_help = "FILE is a recording (.jsonl), a `listen --jsonl` output or a `:save` file; an ID is\nthe start of a file name in the data directory's sessions/ folder.\nExamples:\n  wsdeck open session.jsonl\n  wsdeck open session.jsonl --export session.har"
)]
pub struct OpenArgs {
    /// The recording: a file, or the ID of a kept session.
    #[arg(value_name = "FILE|ID")]
    pub target: String,
    /// Write it to this file instead of opening the TUI: .jsonl, .txt or .har.
    #[arg(long, value_name = "OUT")]
    pub export: Option<std::path::PathBuf>,
    /// With --export: replace OUT if it exists.
    #[arg(long, requires = "export")]
    pub force: bool,
}

/// List recorded sessions, newest first (ID, start, URL, profile, duration, frames, size); prune them.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SessionsArgs {
    /// `path`: print the directory recordings are kept in.
    #[command(subcommand)]
    pub action: Option<SessionsAction>,
    /// One JSON object per line for each recording, for scripts.
    #[arg(long)]
    pub json: bool,
    /// Remove recordings now, oldest first, down to the limits of settings.toml's
    /// [sessions] (default 200MiB and 30 days).
    #[arg(long)]
    pub prune: bool,
}

/// What `wsdeck sessions` can do besides listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum SessionsAction {
    /// Print the directory recordings are kept in.
    Path,
}

/// How to install the completion script, shown in `wsdeck completions --help`.
pub const COMPLETIONS_HELP: &str = "\
Install: load the script as the shell starts, so it always matches the wsdeck installed
(it calls wsdeck back on each <TAB>):
  bash        echo 'source <(wsdeck completions bash)' >> ~/.bashrc
  zsh         echo 'source <(wsdeck completions zsh)' >> ~/.zshrc
  fish        echo 'wsdeck completions fish | source' > ~/.config/fish/completions/wsdeck.fish
  powershell  add to $PROFILE: wsdeck completions powershell | Out-String | Invoke-Expression";

/// Print a shell's completion script; profile and preset names are looked up as you type.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `wsdeck completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// GNU Bash.
    Bash,
    /// Z shell.
    Zsh,
    /// The friendly interactive shell.
    Fish,
    /// PowerShell.
    Powershell,
}

/// Print the man page, or write one page per command into a folder (--dir).
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write wsdeck.1 and a page per subcommand (wsdeck-listen.1, …) into DIR,
    /// creating it, instead of printing wsdeck's page.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// Print the TUI's keys, with your keys.toml applied (checks it too).
#[derive(Debug, Args)]
#[command(
    after_help = "Rebind keys in keys.toml in the configuration directory (wsdeck keys --path prints where):\n  [log]\n  quit = \"ctrl-q\"\n  inspect = [\"enter\", \"l\"]\nSections: global, log, composer, inspector, close-dialog, prompt, snippets, help; each action's name is in parentheses in `wsdeck keys`."
)]
pub struct KeysArgs {
    /// Print a Markdown table (the README's).
    #[arg(long)]
    pub markdown: bool,
    /// The built-in keys, ignoring keys.toml.
    #[arg(long)]
    pub defaults: bool,
    /// Print where keys.toml is read from, and nothing else.
    #[arg(long, conflicts_with_all = ["markdown", "defaults"])]
    pub path: bool,
}

/// Saved connections: list, show, new, edit, rm; built-in presets; the folder.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ProfilesAction {
    /// List saved profiles (broken ones with their error).
    List,
    /// Print a profile (secrets stored in plain text are masked).
    Show {
        /// Profile name.
        #[arg(add = ArgValueCandidates::new(profile_names))]
        name: String,
    },
    /// Create a profile from a preset and connection flags (tokens as --token-env NAME).
    New(Box<NewProfileArgs>),
    /// Edit a profile in $VISUAL/$EDITOR; it is saved only if it still parses.
    Edit {
        /// Profile name.
        #[arg(add = ArgValueCandidates::new(profile_names))]
        name: String,
    },
    /// Delete a profile.
    Rm {
        /// Profile name.
        #[arg(add = ArgValueCandidates::new(profile_names))]
        name: String,
    },
    /// List the built-in presets.
    Presets,
    /// Print the folder profiles live in (WSDECK_CONFIG_DIR overrides it).
    Path,
}

/// Create a profile from a preset and connection flags (tokens as --token-env NAME).
#[derive(Debug, Args)]
pub struct NewProfileArgs {
    /// Profile name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// ws:// or wss:// URL (may hold ${env:NAME} references).
    #[arg(long)]
    pub url: Option<String>,
    /// One line about what it connects to.
    #[arg(long)]
    pub description: Option<String>,
    /// Allow --token to be written to the file as it is (otherwise refused).
    #[arg(long)]
    pub store_token_in_plaintext: bool,
    /// Connection settings to store (--preset picks the base).
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Start the built-in server on a free loopback port and open the TUI on it.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run a scripted exchange on stdout instead of the TUI (also used when stdout is
    /// not a terminal).
    #[arg(long)]
    pub script: bool,
    /// Do not record this session (the demo is recorded like any TUI session).
    #[arg(long)]
    pub no_record: bool,
}

/// Run the built-in WebSocket server (echo, close-code demos, floods, auth).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (the bound address is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Connections beyond this are closed with 1013 (Try Again Later).
    #[arg(long, default_value_t = 100)]
    pub max_connections: usize,
    /// Ping every client this often and drop those that do not answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub heartbeat: Option<Duration>,
    /// Require this token (query param `token`, subprotocol, Bearer header or first message).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WSDECK_SERVE_TOKEN",
        hide_env_values = true
    )]
    pub require_token: Option<String>,
    /// Send a JSON tick to every client this often.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub broadcast_every: Option<Duration>,
    /// Play the server side of this recording (or `listen --jsonl` file) to every
    /// client, from the start: wait for each recorded client message (exactly, or
    /// as a JSON subset), send each recorded reply after its recorded delay, close as
    /// recorded. See docs/REPLAY.md.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath,
          conflicts_with_all = ["require_token", "broadcast_every", "heartbeat"])]
    pub script: Option<PathBuf>,
    /// With --script: recorded delays divided by N (2 = twice as fast; 0 = no waiting).
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_speed, requires = "script", allow_hyphen_values = true)]
    pub speed: f64,
    /// With --script: what a client message that does not match does: close (with
    /// 1008), skip (go on as if it matched) or wait (ignore it, wait for a match).
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        default_value = "close",
        requires = "script"
    )]
    pub on_mismatch: MismatchAction,
}

/// `serve --script --on-mismatch`: what a message that does not match does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MismatchAction {
    /// Close the client with 1008 and a short reason naming the script's line.
    Close,
    /// Take the message as if it matched and go on with the next step.
    Skip,
    /// Ignore the message and keep waiting for one that matches.
    Wait,
}

/// How `replay` paces and ends, shown in `wsdeck replay --help`.
pub const REPLAY_HELP: &str = "\
Timing: the first message goes as soon as the connection is open; each later one at its
recorded time after the first, divided by --speed. Payloads go byte for byte as recorded
(templates are not rendered again; a token recorded as *** stays ***). Pings, pongs and
close frames in the recording are not sent. After the last message, replies are printed
for --linger (or until the server closes), then wsdeck closes with 1000.

Exit codes: as for send — 0 when everything was sent (and the server, if it closed,
closed with 1000 or with the code the recorded server closed with); 2 for a file with
nothing to send; 7 when the server closed early or with another code; 3-6 as below.
See docs/REPLAY.md.";

/// Send a recording's outgoing messages to a server with their original timing, printing the replies.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording (or a `:save`d log) whose outgoing messages are sent.
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    /// ws:// or wss:// URL to send them to (optional with -p NAME: the profile's URL).
    pub url: Option<String>,
    /// Recorded gaps divided by N (2 = twice as fast); 0 = as fast as the rate limit allows.
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_speed, allow_hyphen_values = true)]
    pub speed: f64,
    /// After the last message, print replies for this long (or until the server closes).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub linger: Duration,
    /// Replies as JSON lines: direction, time, kind, data (binary as base64).
    #[arg(long)]
    pub jsonl: bool,
    /// On a terminal, print replies as they arrived instead of escaped.
    #[arg(long, conflicts_with = "jsonl")]
    pub raw: bool,
    /// Connection settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A `--speed` factor: a finite number, 0 or more.
fn parse_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed >= 0.0 => Ok(speed),
        _ => Err(format!(
            "'{text}' is not a speed: a number, 0 or more (2 = twice as fast, 0 = no waiting)"
        )),
    }
}

/// Connect, send one message, print the response, close with 1000.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// ws:// or wss:// URL (optional with -p NAME: the profile's URL).
    pub url: Option<String>,
    /// The message to send (text). With a provider other than raw it goes through
    /// the adapter (a GraphQL document becomes `subscribe`, a Home Assistant command
    /// gets its id) and the correlated response is printed.
    #[arg(short, long, value_name = "TEXT", required_unless_present = "emit")]
    pub message: Option<String>,
    /// Socket.IO: emit event NAME with ARGS (JSON values, or words as strings) asking
    /// for an ack, and print the ack's arguments.
    #[arg(long, num_args = 1.., value_name = "NAME ARGS", conflicts_with = "message")]
    pub emit: Option<Vec<String>>,
    /// How long connecting plus waiting for the response may take.
    #[arg(long, value_name = "DURATION", default_value = "10", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Print one JSON envelope instead of the raw response.
    #[arg(long)]
    pub json: bool,
    /// Record the session (handshake, frames, close) as JSON lines: into PATH, or
    /// without one into the sessions folder (`wsdeck sessions`). The file is named
    /// on stderr at the end.
    #[arg(long, value_name = "PATH", num_args = 0..=1, value_hint = clap::ValueHint::FilePath)]
    pub record: Option<Option<PathBuf>>,
    /// Connection settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Print received messages to stdout, one per line, reconnecting as configured.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// ws:// or wss:// URL (optional with -p NAME: the profile's URL).
    pub url: Option<String>,
    /// Stop after this many messages.
    #[arg(short = 'n', long)]
    pub count: Option<u64>,
    /// Stop after this long.
    #[arg(short, long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// One JSON object per line: direction, time, kind, data (binary as base64).
    #[arg(long)]
    pub jsonl: bool,
    /// On a terminal, print payloads as they arrived instead of showing control
    /// characters escaped (into a pipe or file they are always as they arrived).
    #[arg(long, conflicts_with = "jsonl")]
    pub raw: bool,
    /// Print counters to stderr at exit.
    #[arg(long)]
    pub stats: bool,
    /// GraphQL (graphql-ws / apollo-legacy providers): subscribe with this document
    /// and print each result's payload as a JSON line until the server completes it.
    #[arg(long, value_name = "DOCUMENT")]
    pub subscribe: Option<String>,
    /// Also print protocol heartbeats (Engine.IO pings, graphql `ka`, …), which are
    /// left out by default.
    #[arg(long)]
    pub heartbeats: bool,
    /// Run each received message, read as JSON, through this jq program and print
    /// each output as a line of compact JSON (with --jsonl: as the line's `data`).
    /// Messages that are not JSON are skipped and counted; --count counts the
    /// messages that gave output. See docs/JQ.md.
    #[arg(long, value_name = "EXPR", conflicts_with_all = ["subscribe", "raw"])]
    pub jq: Option<String>,
    /// With --jq: print string outputs as their text, without quotes (as `jq -r`).
    #[arg(short = 'r', long, requires = "jq", conflicts_with = "jsonl")]
    pub raw_output: bool,
    /// Record the session (handshake, frames, close) as JSON lines: into PATH, or
    /// without one into the sessions folder (`wsdeck sessions`). The file is named
    /// on stderr at the end.
    #[arg(long, value_name = "PATH", num_args = 0..=1, value_hint = clap::ValueHint::FilePath)]
    pub record: Option<Option<PathBuf>>,
    /// Connection settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Send messages (one-shot, no reconnect), then print replies for --wait or until the server closes.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// ws:// or wss:// URL (optional with -p NAME: the profile's URL).
    pub url: Option<String>,
    /// Messages to send, in order (each one text message).
    #[arg(value_name = "TEXT")]
    pub messages: Vec<String>,
    /// After sending, print replies for this long (or until the server closes).
    #[arg(short, long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub wait: Duration,
    /// Connection settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Connection flags shared by every command that connects. Every flag is optional:
/// what is not given comes from the profile (`-p`), then the preset, then the
/// defaults shown in `--help`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Use the saved profile NAME (`wsdeck profiles list`); flags override its fields.
    #[arg(short = 'p', long = "profile", value_name = "NAME", add = ArgValueCandidates::new(profile_names))]
    pub profile: Option<String>,
    /// Start from the built-in preset NAME (`wsdeck profiles presets`).
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(preset_names))]
    pub preset: Option<String>,
    /// Protocol adapter: raw, socket-io, graphql-ws, apollo-legacy, home-assistant,
    /// binance, pusher, phoenix, action-cable, signalr, ably, aws-api-gateway, echo.
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(provider_names))]
    pub provider: Option<String>,
    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Subprotocol to offer (repeatable, in order of preference).
    #[arg(short = 's', long = "subprotocol", value_name = "NAME")]
    pub subprotocols: Vec<String>,
    /// Origin header.
    #[arg(short = 'o', long)]
    pub origin: Option<String>,
    /// Where the token goes [default: none].
    #[arg(long, value_enum)]
    pub auth: Option<AuthMethod>,
    /// The token (prefer --token-env: arguments are visible to other users). Without
    /// either, WSDECK_TOKEN is used where auth is configured.
    #[arg(long)]
    pub token: Option<String>,
    /// Read the token from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// Query parameter name for --auth query-param [default: token].
    #[arg(long)]
    pub token_param: Option<String>,
    /// First-message template for --auth first-message ({{token}}, {{type}}, {{uuid}},
    /// {{now}}, {{now_iso}}, {{seq}}, {{env.NAME}}).
    #[arg(long, value_name = "TEMPLATE")]
    pub auth_template: Option<String>,
    /// The {{type}} value in the auth template [default: authenticate].
    #[arg(long, value_name = "TYPE")]
    pub auth_type: Option<String>,
    /// How long to wait for the server's verdict on a first-message auth [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub auth_timeout: Option<Duration>,
    /// WebSocket Ping interval; 0 turns keep-alive off [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub ping_interval: Option<Duration>,
    /// How long to wait for a Pong before declaring the link dead [default: 5s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub pong_timeout: Option<Duration>,
    /// Do not reconnect when the link is lost.
    #[arg(long)]
    pub no_reconnect: bool,
    /// Reconnect attempts before giving up; 0 = unlimited [default: 10].
    #[arg(long)]
    pub max_attempts: Option<u32>,
    /// Limit for TCP + TLS + upgrade [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub connect_timeout: Option<Duration>,
    /// Connect through this proxy: http://[USER:PASS@]HOST:PORT (HTTP CONNECT),
    /// socks5://… (names resolved here) or socks5h://… (resolved by the proxy).
    /// Without it, HTTP_PROXY (ws://), HTTPS_PROXY (wss://) or ALL_PROXY is used,
    /// NO_PROXY honoured. See docs/PROXIES.md.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Connect directly, ignoring any proxy the environment names (same as
    /// --proxy none).
    #[arg(long, conflicts_with = "proxy")]
    pub no_proxy: bool,
    /// Do not verify the server's TLS certificate (dangerous).
    #[arg(short = 'k', long, visible_alias = "no-check")]
    pub insecure: bool,
    /// Trust this CA certificate (PEM) for wss:// (repeatable).
    #[arg(long, visible_alias = "ca", value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Trust exactly the server certificate with this SHA-256 (of its DER; 64 hex
    /// digits or base64), whatever its issuer (repeatable).
    #[arg(long, value_name = "HASH")]
    pub pin_sha256: Vec<String>,
    /// Client certificate (PEM) for servers that require one (mutual TLS); needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of the --cert client certificate.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Largest incoming message accepted; bigger ones close with 1009 [default: 64MiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_message_size: Option<usize>,
    /// Send rate limit in messages per second; 0 = unlimited [default: 300].
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// How many messages may wait while the link is down [default: 1000].
    #[arg(long, value_name = "N")]
    pub queue_limit: Option<usize>,
}

impl ConnectionArgs {
    /// The flags as a profile layer, holding only the fields given: what goes over
    /// the preset and the saved profile to make a connection (see
    /// [`crate::commands::setup`]), what `profiles new` stores and what
    /// `:save-profile` adds. A `--token-env NAME` becomes the reference
    /// `${env:NAME}` (and an exported WSDECK_TOKEN `${env:WSDECK_TOKEN}`); a literal
    /// `--token` stays literal, its `${` escaped so it is never read as a reference
    /// (saving refuses it unless asked). Values a profile would only reject later
    /// are refused here, naming the flag: headers, the provider, the auth
    /// template's variables, pins.
    pub fn to_profile(&self) -> Result<Profile, Failure> {
        if let Some(provider) = &self.provider {
            registry::find(provider).map_err(|error| invalid(error.to_string()))?;
        }
        if let Some(text) = &self.auth_template {
            template::check_names(text, &["type"])
                .map_err(|error| invalid(format!("--auth-template: {error}")))?;
        }
        for pin in &self.pin_sha256 {
            parse_pin(pin).map_err(|reason| invalid(format!("--pin-sha256: {reason}")))?;
        }
        if let Some(proxy) = self.proxy.as_deref().filter(|proxy| !proxy.contains("${")) {
            crate::session::proxy::parse_setting(proxy)
                .map_err(|error| invalid(format!("--proxy: {error}")))?;
        }
        let mut profile = Profile {
            provider: self.provider.clone(),
            origin: self.origin.clone(),
            subprotocols: self.subprotocols.clone(),
            rate_limit: self.rate_limit,
            max_message_size: self.max_message_size,
            queue_limit: self.queue_limit,
            connect_timeout: self.connect_timeout,
            proxy: match (self.no_proxy, &self.proxy) {
                (true, _) => Some(crate::session::proxy::NO_PROXY_VALUE.to_string()),
                (false, proxy) => proxy.clone(),
            },
            headers: self.header_map()?,
            ..Profile::default()
        };
        profile.auth = AuthSettings {
            method: self.auth,
            token: self.token_reference(),
            token_param: self.token_param.clone(),
            message_type: self.auth_type.clone(),
            template: self.auth_template.clone(),
            timeout: self.auth_timeout,
            ..AuthSettings::default()
        };
        profile.keepalive.ping_interval = self.ping_interval;
        profile.keepalive.pong_timeout = self.pong_timeout;
        profile.reconnect.enabled = self.no_reconnect.then_some(false);
        profile.reconnect.max_attempts = self.max_attempts;
        profile.tls = TlsSettings {
            insecure: self.insecure.then_some(true),
            ca_files: self.cacert.clone(),
            pin_sha256: self.pin_sha256.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
        };
        Ok(profile)
    }

    /// The `-H` headers by name, in order: a later one replaces an earlier one of
    /// the same name, whatever its case.
    fn header_map(&self) -> Result<BTreeMap<String, String>, Failure> {
        let mut headers = BTreeMap::new();
        for line in &self.headers {
            let (name, value) =
                config::parse_header(line).map_err(|error| invalid(error.to_string()))?;
            headers.retain(|existing: &String, _| !existing.eq_ignore_ascii_case(&name));
            headers.insert(name, value);
        }
        Ok(headers)
    }

    /// The token as a profile holds it: a reference for `--token-env` or an exported
    /// WSDECK_TOKEN, an escaped literal for `--token`.
    fn token_reference(&self) -> Option<String> {
        match (&self.token_env, &self.token) {
            (Some(name), _) => Some(format!("${{env:{name}}}")),
            (None, Some(token)) => Some(secrets::escape(token)),
            (None, None) if self.token_is_from_environment() => {
                Some(format!("${{env:{TOKEN_VARIABLE}}}"))
            }
            (None, None) => None,
        }
    }

    /// Checks that the files `--cacert`, `--cert` and `--key` name exist, so the
    /// error names the flag rather than the profile field it became.
    pub fn check_files(&self) -> Result<(), Failure> {
        let named = self.cacert.iter().map(|file| ("--cacert", file));
        let client = [("--cert", &self.cert), ("--key", &self.key)]
            .into_iter()
            .filter_map(|(flag, file)| file.as_ref().map(|file| (flag, file)));
        for (flag, file) in named.chain(client) {
            if !file.is_file() {
                return Err(invalid(format!("{flag} {}: no such file", file.display())));
            }
        }
        Ok(())
    }

    /// The token from `--token-env` or `--token`, if either was given.
    pub fn token(&self) -> Result<Option<Secret>, Failure> {
        if let Some(name) = &self.token_env {
            return match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(Some(Secret::new(value))),
                _ => Err(invalid(format!(
                    "--token-env {name}: the environment variable {name} is not set or empty"
                ))),
            };
        }
        if let Some(token) = &self.token {
            return Ok(Some(Secret::new(token.clone())));
        }
        Ok(std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|value| !value.is_empty())
            .map(Secret::new))
    }

    /// Whether the token is only the `WSDECK_TOKEN` variable's, not a flag's: such a
    /// token is used where auth is configured and ignored elsewhere, so an exported
    /// variable does not break commands that need none.
    pub fn token_is_from_environment(&self) -> bool {
        self.token_env.is_none()
            && self.token.is_none()
            && std::env::var_os(TOKEN_VARIABLE).is_some_and(|value| !value.is_empty())
    }
}

/// The environment variable a token is taken from when no flag gives one.
pub const TOKEN_VARIABLE: &str = "WSDECK_TOKEN";

fn invalid(message: String) -> Failure {
    Failure::new(FailureClass::InvalidInput, message)
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
