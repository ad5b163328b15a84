// The official Socket.IO 2 server (Engine.IO 3), still widely deployed. Flags as
// socketio.js. Socket.IO 2 has no CONNECT auth payload: --token T is checked in the
// URL query (`?token=T`, what `--auth query-param` sends) by a middleware that
// refuses with the string error "unauthorized" (`44"unauthorized"`).
"use strict";
const { flags, announce } = require("./common");

const options = flags({ port: "0", "ping-interval": "300", "ping-timeout": "400", path: "/socket.io", token: "" });
const http = require("http").createServer();
const io = require("socket.io-v2")(http, {
  path: options.path,
  pingInterval: Number(options["ping-interval"]),
  pingTimeout: Number(options["ping-timeout"]),
});

function serve(namespace) {
  if (options.token) {
    namespace.use((socket, next) => {
      if (socket.handshake.query && socket.handshake.query.token === options.token) return next();
      next(new Error("unauthorized"));
    });
  }
  namespace.on("connection", (socket) => {
    socket.emit("welcome", { id: socket.id });
    socket.on("add", (a, b, ack) => typeof ack === "function" && ack(a + b));
    socket.on("echo", (...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
      socket.emit("echo", ...args);
      if (ack) ack(...args);
    });
  });
}
serve(io.of("/"));
serve(io.of("/admin"));

http.listen(Number(options.port), "127.0.0.1", () => announce(http.address().port));
