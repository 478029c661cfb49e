/**
 * Writes docs/protocol/: the JSON Schemas, the signed examples, the AsyncAPI document and the
 * signing walkthrough, all from schemas.ts and the published test keys.
 *
 *   npx tsx packages/protocol/src/generate-docs.ts
 *
 * Run it after changing a schema or an example; contract.test.ts fails until the committed files
 * match. It makes a test key only when one is missing, which changes every signature: keep them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GENERATED_JSON_DIRS, renderProtocolDocs } from "./protocol-docs.js";
import { exportPrivateKeyPem, generateEd25519 } from "./signing.js";
import {
  loadProtocolTestKeys,
  PROTOCOL_DOCS_DIR,
  PROTOCOL_TEST_KEYS_DIR,
  TEST_KEY_FILES,
  type TestKeyName,
} from "./test-keys.js";

mkdirSync(PROTOCOL_TEST_KEYS_DIR, { recursive: true });
for (const name of Object.keys(TEST_KEY_FILES) as TestKeyName[]) {
  const file = path.join(PROTOCOL_TEST_KEYS_DIR, TEST_KEY_FILES[name]);
  if (existsSync(file)) continue;
  writeFileSync(file, exportPrivateKeyPem(generateEd25519().privateKey));
  console.log(`made a new test key ${path.relative(process.cwd(), file)}: every signature it makes changes`);
}

const files = renderProtocolDocs(loadProtocolTestKeys());
let changed = 0;
for (const [relative, content] of files) {
  const file = path.join(PROTOCOL_DOCS_DIR, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  if (existsSync(file) && readFileSync(file, "utf8") === content) continue;
  writeFileSync(file, content);
  changed++;
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
// A schema or example that is no longer generated must not linger and be mistaken for a live one.
for (const dir of GENERATED_JSON_DIRS) {
  for (const name of readdirSync(path.join(PROTOCOL_DOCS_DIR, dir))) {
    if (!name.endsWith(".json") || files.has(`${dir}/${name}`)) continue;
    rmSync(path.join(PROTOCOL_DOCS_DIR, dir, name));
    changed++;
    console.log(`removed ${path.join(dir, name)}`);
  }
}
console.log(changed === 0 ? "docs/protocol is up to date" : `${changed} file(s) changed in docs/protocol`);
