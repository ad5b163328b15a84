// Validates HAR files against the HAR 1.2 JSON Schema of the `har-schema` package,
// with ajv (both pinned in package-lock.json), as tests/it/export.rs asks:
//   node har-validate.js FILE...
// Prints "valid FILE" for each good file; for a bad one, every schema error and
// exit status 1.
"use strict";

const fs = require("fs");
const Ajv = require("ajv");
const schemas = require("har-schema");

const ajv = new Ajv({ allErrors: true, schemaId: "auto" });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-06.json"));
for (const schema of Object.values(schemas)) {
  ajv.addSchema(schema);
}
const validate = ajv.getSchema("har.json#");

let failed = false;
for (const file of process.argv.slice(2)) {
  const har = JSON.parse(fs.readFileSync(file, "utf8"));
  if (validate(har)) {
    console.log(`valid ${file}`);
  } else {
    failed = true;
    for (const error of validate.errors) {
      console.log(`invalid ${file}: ${error.dataPath || "/"} ${error.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
