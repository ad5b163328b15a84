// The official Socket.IO 4 server (Engine.IO 4). Flags: --port N (0 = any),
// --ping-interval MS, --ping-timeout MS, --path P, --token T (refuse a CONNECT whose
// auth.token differs). Events: add(a, b, ack) acks a+b; echo(...args, ack) emits
// `echo` back with the args and acks them; each connection gets `welcome` {id}.
// The /admin namespace has `add` too.
"use strict";
const { Server } = require("socket.io");
const { flags, announce } = require("./common");

const options = flags({ port: "0", "ping-interval": "300", "ping-timeout": "400", path: "/socket.io/", token: "" });
const io = new Server({
  path: options.path,
  pingInterval: Number(options["ping-interval"]),
  pingTimeout: Number(options["ping-timeout"]),
  transports: ["websocket", "polling"],
});

function serve(namespace) {
  if (options.token) {
    namespace.use((socket, next) => {
      if (socket.handshake.auth && socket.handshake.auth.token === options.token) return next();
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

const http = require("http").createServer();
io.attach(http);
http.listen(Number(options.port), "127.0.0.1", () => announce(http.address().port));
