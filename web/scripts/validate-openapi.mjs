// Validates docs/openapi.yaml against the OpenAPI 3.1 schema with an independent
// validator (@seriousme/openapi-schema-validator) and checks that every $ref resolves.
// Usage: node scripts/validate-openapi.mjs ../docs/openapi.yaml
import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";

const file = process.argv[2];
if (!file) {
  console.error("usage: validate-openapi <openapi.yaml>");
  process.exit(2);
}
const text = await readFile(file, "utf8");
const validator = new Validator();
const result = await validator.validate(text);
if (!result.valid) {
  console.error(`${file}: not a valid OpenAPI document`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
try {
  validator.resolveRefs();
} catch (error) {
  console.error(`${file}: a $ref does not resolve: ${error.message}`);
  process.exit(1);
}
const spec = validator.specification;
const operations = Object.values(spec.paths ?? {}).reduce(
  (n, item) => n + Object.keys(item).filter((k) => ["get", "put", "post", "delete", "patch"].includes(k)).length,
  0,
);
console.log(`openapi: ${file} is valid OpenAPI ${validator.version} (${operations} operations)`);
