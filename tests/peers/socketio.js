// The official Socket.IO 4 server (Engine.IO 4). Flags: --port N (0 = any),
// --ping-interval MS, --ping-timeout MS, --path P, --token T (refuse a CONNECT whose
// auth.token differs). Events: add(a, b, ack) acks a+b; echo(...args, ack) emits
// `echo` back with the args and acks them; each connection gets `welcome` {id}.
// The /admin namespace has `add` too.
"use strict";
const { Server } = require("socket.io");
const { flags, announce, serveSocketIo } = require("./common");

const options = flags({ port: "0", "ping-interval": "300", "ping-timeout": "400", path: "/socket.io/", token: "" });
const io = new Server({
  path: options.path,
  pingInterval: Number(options["ping-interval"]),
  pingTimeout: Number(options["ping-timeout"]),
  transports: ["websocket", "polling"],
});

const tokenOf = (socket) => socket.handshake.auth && socket.handshake.auth.token;
const serve = (namespace) => serveSocketIo(namespace, options.token, tokenOf);
serve(io.of("/"));
serve(io.of("/admin"));

const http = require("http").createServer();
io.attach(http);
http.listen(Number(options.port), "127.0.0.1", () => announce(http.address().port));
