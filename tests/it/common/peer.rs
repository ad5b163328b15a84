//! Small WebSocket peers on 127.0.0.1:0 for tests that need a server doing one
//! particular thing (send a few messages and close, record the client's close
//! code, close at once…): the listener, the upgrade and the close handshake are
//! here, the test says only what happens on each connection.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The server's end of one upgraded connection.
pub type ServerSocket = WebSocketStream<TcpStream>;

/// How long a peer waits for the client to answer its close frame.
const CLOSE_ANSWER_WAIT: Duration = Duration::from_secs(5);

/// A running peer: its URL and how many connections it has accepted.
pub struct Peer {
    /// `ws://127.0.0.1:PORT/`.
    pub url: String,
    accepted: Arc<AtomicUsize>,
}

impl Peer {
    /// The connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// A peer that runs `each` on every client once its upgrade is done (failed
/// upgrades are skipped). It serves until the test's runtime ends.
pub async fn serve_each<F, Fut>(each: F) -> Peer
where
    F: Fn(ServerSocket) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("address"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let each = Arc::new(each);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let each = each.clone();
            tokio::spawn(async move {
                if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                    each(socket).await;
                }
            });
        }
    });
    Peer { url, accepted }
}

/// A peer that runs `first` on the first client only, then stops listening (a
/// reconnect is refused). Returns its URL.
pub async fn serve_first<F, Fut>(first: F) -> String
where
    F: FnOnce(ServerSocket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        drop(listener);
        if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
            first(socket).await;
        }
    });
    url
}

/// Sends `messages` (flushed together with the close), then a close frame with
/// `code` and `reason`, and waits a while for the client to answer it.
pub async fn send_then_close(
    socket: &mut ServerSocket,
    messages: impl IntoIterator<Item = Message>,
    code: u16,
    reason: &str,
) {
    for message in messages {
        if socket.feed(message).await.is_err() {
            return;
        }
    }
    let close = CloseFrame {
        code: code.into(),
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(close))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_ANSWER_WAIT, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

/// Reads until the client's close frame and returns its code; `None` when the
/// link ended without one.
pub async fn close_code_from_client(socket: &mut ServerSocket) -> Option<u16> {
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Close(frame) = message {
            return frame.map(|frame| u16::from(frame.code));
        }
    }
    None
}

/// Aborts a background server task when the test ends (even on panic).
pub struct Background(pub JoinHandle<()>);

impl Drop for Background {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A peer that sends `messages` to its first client and closes with `code` and
/// `reason` (see [`send_then_close`]). Returns its URL.
pub async fn messages_then_close(
    messages: Vec<Message>,
    code: u16,
    reason: &'static str,
) -> String {
    serve_first(move |mut socket| async move {
        send_then_close(&mut socket, messages, code, reason).await;
    })
    .await
}

/// A peer that sends `greeting` to its first client and reports the code of the
/// close frame the client then sends (`None`: the link ended without one).
pub async fn close_code_recorder(
    greeting: Vec<Message>,
) -> (String, tokio::sync::oneshot::Receiver<Option<u16>>) {
    let (report, received) = tokio::sync::oneshot::channel();
    let url = serve_first(move |mut socket| async move {
        for message in greeting {
            let _ = socket.send(message).await;
        }
        let _ = report.send(close_code_from_client(&mut socket).await);
    })
    .await;
    (url, received)
}

/// Echoes data messages until the client goes away (answering its close).
pub async fn echo_data_messages<S>(mut ws: WebSocketStream<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    while let Some(Ok(message)) = ws.next().await {
        if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
            break;
        }
    }
}

/// A wss:// echo server on a free loopback port (tokio-rustls with `acceptor` in
/// front of tokio-tungstenite): its task and its port.
pub async fn tls_echo_server(acceptor: TlsAcceptor) -> (Background, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(socket).await else {
                    return;
                };
                if let Ok(ws) = tokio_tungstenite::accept_async(tls).await {
                    echo_data_messages(ws).await;
                }
            });
        }
    });
    (Background(task), port)
}
