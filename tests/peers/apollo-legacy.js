// The subscriptions-transport-ws 0.11 server (legacy `graphql-ws` subprotocol) on
// `ws`, at /graphql. Flags: --port N, --keep-alive MS (default 300), --token T
// (connection_init must carry {"authorization":"Bearer T"} or {"token":T}; otherwise
// connection_error and a close).
"use strict";
const { WebSocketServer } = require("ws");
const { SubscriptionServer } = require("subscriptions-transport-ws");
const { buildSchema, execute, subscribe } = require("graphql");
const { flags, announce, SDL, countdown } = require("./common");

const options = flags({ port: "0", "keep-alive": "300", token: "" });
const schema = buildSchema(SDL);
const rootValue = {
  hello: () => "world",
  add: ({ a, b }) => a + b,
  countdown: async function* ({ from }) {
    for await (const value of countdown(from)) yield { countdown: value };
  },
};
const server = new WebSocketServer({ host: "127.0.0.1", port: Number(options.port), path: "/graphql" });
SubscriptionServer.create(
  {
    schema,
    execute,
    subscribe,
    rootValue,
    keepAlive: Number(options["keep-alive"]),
    onConnect: (params) => {
      if (!options.token) return true;
      const given = params || {};
      if (given.authorization === `Bearer ${options.token}` || given.token === options.token) return true;
      throw new Error("unauthorized");
    },
  },
  server,
);
server.on("listening", () => announce(server.address().port));
