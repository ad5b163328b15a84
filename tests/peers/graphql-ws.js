// The graphql-ws reference server (graphql-transport-ws) on `ws`, at /graphql.
// Flags: --port N, --token T (connection_init must carry
// {"authorization":"Bearer T"} or {"token":T}; otherwise 4403 Forbidden).
"use strict";
const { WebSocketServer } = require("ws");
const { useServer } = require("graphql-ws/use/ws");
const { buildSchema } = require("graphql");
const { flags, announce, SDL, countdown } = require("./common");

const options = flags({ port: "0", token: "" });
const schema = buildSchema(SDL);
const roots = {
  query: { hello: () => "world", add: ({ a, b }) => a + b },
  subscription: {
    countdown: async function* ({ from }) {
      for await (const value of countdown(from)) yield { countdown: value };
    },
  },
};
const server = new WebSocketServer({ host: "127.0.0.1", port: Number(options.port), path: "/graphql" });
useServer(
  {
    schema,
    roots,
    onConnect: (ctx) => {
      if (!options.token) return true;
      const params = ctx.connectionParams || {};
      return params.authorization === `Bearer ${options.token}` || params.token === options.token;
    },
  },
  server,
);
server.on("listening", () => announce(server.address().port));
