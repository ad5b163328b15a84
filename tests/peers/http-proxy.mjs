// A real HTTP proxy (the `proxy` package: CONNECT tunnels, like Squid) for the
// proxy tests. Flags: --port N (0 = any), --user U --pass P (then a CONNECT
// without `Proxy-Authorization: Basic base64(U:P)` gets 407). Prints `PORT n`,
// then `CONNECT host:port` for each tunnel it opens (after auth), so tests can
// tell whether wsdeck really went through it.
import http from "node:http";
import { createRequire } from "node:module";
import { createProxy } from "proxy";

const { flags, announce } = createRequire(import.meta.url)("./common.js");
const options = flags({ port: "0", user: "", pass: "" });
const server = createProxy(http.createServer());
server.authenticate = (req) => {
  const expected = "Basic " + Buffer.from(`${options.user}:${options.pass}`).toString("base64");
  const ok = !options.user || req.headers["proxy-authorization"] === expected;
  process.stdout.write(ok ? `CONNECT ${req.url}\n` : `REFUSED ${req.url}\n`);
  return ok;
};
server.listen(Number(options.port), "127.0.0.1", () => announce(server.address().port));
