// Shared by the peers: flags, the schema, and the `PORT n` line the tests read.
"use strict";

/** `--name value` flags as an object; `defaults` gives the known names. */
function flags(defaults) {
  const values = { ...defaults };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, "");
    if (!(name in defaults)) {
      console.error(`unknown flag --${name}; known: ${Object.keys(defaults).join(", ")}`);
      process.exit(2);
    }
    values[name] = args[i + 1];
  }
  return values;
}

/** Prints the port once listening, and ends the process with its parent. */
function announce(port) {
  process.stdout.write(`PORT ${port}\n`);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("close", () => process.exit(0));
  process.stdin.resume();
  process.on("SIGTERM", () => process.exit(0));
}

const SDL = `
  type Query { hello: String, add(a: Int!, b: Int!): Int }
  type Subscription { countdown(from: Int!): Int }
`;

/** countdown(from): from, from-1, …, 0, 20 ms apart. */
async function* countdown(from) {
  for (let value = from; value >= 0; value -= 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    yield value;
  }
}

/**
 * The test events on a Socket.IO namespace (the same for Socket.IO 4 and 2):
 * add(a, b, ack) acks a+b; echo(...args, ack) emits `echo` back and acks the args;
 * each connection gets `welcome` {id}. With a `token`, a middleware refuses a
 * socket whose `tokenOf(socket)` differs, with the error "unauthorized".
 */
function serveSocketIo(namespace, token, tokenOf) {
  if (token) {
    namespace.use((socket, next) => {
      if (tokenOf(socket) === token) return next();
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

module.exports = { flags, announce, SDL, countdown, serveSocketIo };
