//! The benchmarks' firehose: a loopback WebSocket server that, on every connection,
//! sends `count` text messages of `size` bytes (Binance-like trade ticks padded to
//! size) as fast as the socket takes them, then closes with 1000. The numbers come
//! from the request path: `ws://127.0.0.1:PORT/flood?count=N&size=S`.
//!
//! It prepares one message and clones it (a reference count), so it costs far less
//! per message than any client, which the "limit" client's figures show.

use std::net::SocketAddr;

use futures_util::SinkExt;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// Starts the firehose on a free loopback port; returns its address.
pub async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut path = String::new();
                #[allow(clippy::result_large_err)] // the signature tungstenite requires
                let callback = |request: &Request, response: Response| {
                    path = request.uri().to_string();
                    Ok::<Response, ErrorResponse>(response)
                };
                let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await
                else {
                    return;
                };
                let (count, size) = parse_path(&path);
                let message = Message::text(tick(size));
                for sent in 0..count {
                    if socket.feed(message.clone()).await.is_err() {
                        return;
                    }
                    if sent % 256 == 255 && socket.flush().await.is_err() {
                        return;
                    }
                }
                let close = CloseFrame {
                    code: 1000.into(),
                    reason: "flood done".into(),
                };
                let _ = socket.send(Message::Close(Some(close))).await;
                // Let the client read to the end and answer the close.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), async {
                    use futures_util::StreamExt;
                    while let Some(Ok(_)) = socket.next().await {}
                })
                .await;
            });
        }
    });
    address
}

/// The flood URL for `count` messages of `size` bytes.
pub fn url(address: SocketAddr, count: u64, size: usize) -> String {
    format!("ws://{address}/flood?count={count}&size={size}")
}

fn parse_path(path: &str) -> (u64, usize) {
    let mut count = 1000;
    let mut size = 100;
    if let Some((_, query)) = path.split_once('?') {
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("count", value)) => count = value.parse().unwrap_or(count),
                Some(("size", value)) => size = value.parse().unwrap_or(size),
                _ => {}
            }
        }
    }
    (count, size)
}

/// A Binance-like trade tick, padded (inside a string field) to `size` bytes when
/// `size` is larger than the tick.
pub fn tick(size: usize) -> String {
    let base = r#"{"e":"trade","s":"BTCUSDT","t":12345,"p":"43000.10","q":"0.005","T":1672515782136,"x":""#;
    let mut text = String::with_capacity(size.max(base.len() + 2));
    text.push_str(base);
    let room = size.saturating_sub(base.len() + 2);
    text.extend(std::iter::repeat_n('x', room));
    text.push_str("\"}");
    text
}
