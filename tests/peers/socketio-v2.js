// The official Socket.IO 2 server (Engine.IO 3), still widely deployed. Flags as
// socketio.js. Socket.IO 2 has no CONNECT auth payload: --token T is checked in the
// URL query (`?token=T`, what `--auth query-param` sends) by a middleware that
// refuses with the string error "unauthorized" (`44"unauthorized"`).
"use strict";
const { flags, announce, serveSocketIo } = require("./common");

const options = flags({ port: "0", "ping-interval": "300", "ping-timeout": "400", path: "/socket.io", token: "" });
const http = require("http").createServer();
const io = require("socket.io-v2")(http, {
  path: options.path,
  pingInterval: Number(options["ping-interval"]),
  pingTimeout: Number(options["ping-timeout"]),
});

const tokenOf = (socket) => socket.handshake.query && socket.handshake.query.token;
const serve = (namespace) => serveSocketIo(namespace, options.token, tokenOf);
serve(io.of("/"));
serve(io.of("/admin"));

http.listen(Number(options.port), "127.0.0.1", () => announce(http.address().port));
