//! draft
mod common;
#[path = "common/pty.rs"]
mod pty;

use common::peers::NodePeer;
use pty::{ENTER, PtyApp};

#[test]
fn draft_socket_io() {
    let peer = NodePeer::start("socketio.js", &[]);
    let url = format!("ws://127.0.0.1:{}", peer.port);
    let mut app = PtyApp::start(&["--provider", "socket-io", &url], 40, 160);
    let s = app.wait_for("handshake", |s| s.contains("authenticated"));
    eprintln!("SCREEN1\n{s}");
    app.type_text(r#"["add",2,3]"#);
    app.key(ENTER);
    std::thread::sleep(std::time::Duration::from_millis(500));
    eprintln!("SCREEN2\n{}", app.contents());
    app.type_text(":ack add 2 3");
    app.key(ENTER);
    std::thread::sleep(std::time::Duration::from_millis(3000));
    eprintln!("SCREEN3\n{}", app.contents().lines().take(22).collect::<Vec<_>>().join("\n"));
    app.quit();
}

#[test]
fn draft_graphql() {
    let peer = NodePeer::start("graphql-ws.js", &[]);
    let url = peer.url("/graphql");
    let mut app = PtyApp::start(&["--provider", "graphql-ws", &url], 40, 160);
    let s = app.wait_for("handshake", |s| s.contains("authenticated"));
    eprintln!("SCREEN1\n{s}");
    app.type_text("subscription { countdown(from: 2) }");
    app.key(ENTER);
    std::thread::sleep(std::time::Duration::from_millis(3000));
    eprintln!("SCREEN2\n{}", app.contents().lines().take(16).collect::<Vec<_>>().join("\n"));
    app.quit();
}

#[test]
fn draft_refused() {
    let peer = NodePeer::start("graphql-ws.js", &["--token", "good"]);
    let url = peer.url("/graphql");
    let mut app = PtyApp::start(&["--provider", "graphql-ws", "--token", "bad-token-123", &url], 40, 160);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    eprintln!("SCREEN1\n{}", app.contents());
    app.quit();
}

#[test]
fn draft_v2() {
    let peer = NodePeer::start("socketio-v2.js", &[]);
    let url = format!("http://127.0.0.1:{}", peer.port);
    let mut app = PtyApp::start(&["--provider", "socket-io", &url], 40, 160);
    let s = app.wait_for("handshake", |s| s.contains("authenticated"));
    std::thread::sleep(std::time::Duration::from_millis(1000));
    eprintln!("SCREEN1\n{s}");
    app.type_text(":ack add 2 3");
    app.key(ENTER);
    std::thread::sleep(std::time::Duration::from_millis(3000));
    eprintln!("SCREEN3\n{}", app.contents().lines().take(22).collect::<Vec<_>>().join("\n"));
    app.quit();
}
