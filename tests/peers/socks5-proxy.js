// A real SOCKS5 proxy (@pondwader/socks5-server) for the proxy tests. Flags:
// --port N (0 = any), --user U --pass P (then username/password auth is required).
// Prints `PORT n`, then `SOCKS host:port` for each connection it is asked to open
// (after auth): `host` is a name when the client sent one (socks5h), an address
// when the client resolved it (socks5).
"use strict";
const { createServer } = require("@pondwader/socks5-server");
const { flags, announce } = require("./common");

const options = flags({ port: "0", user: "", pass: "" });
const server = createServer(
  options.user ? { auth: { username: options.user, password: options.pass } } : {},
);
server.setRulesetValidator((connection) => {
  process.stdout.write(`SOCKS ${connection.destAddress}:${connection.destPort}\n`);
  return true;
});
server.listen(Number(options.port), "127.0.0.1", () => announce(server.server.address().port));
