import fs from "node:fs";
import path from "node:path";
import { exportPublicKey, importPrivateKeyPem } from "@threshold/protocol";
import { loadConfig } from "@threshold/server";
import type { Command } from "commander";

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("The server's command-signing keys (Ed25519)");
  keys
    .command("show")
    .description("Print the current key id and public key, read from SIGNING_KEY_DIR")
    .action(() => {
      const config = loadConfig();
      const currentFile = path.join(config.signingKeyDir, "current");
      if (!fs.existsSync(currentFile)) {
        throw new Error(`no key in ${config.signingKeyDir} yet; it is created when the server first starts`);
      }
      const kid = fs.readFileSync(currentFile, "utf8").trim();
      const pair = importPrivateKeyPem(fs.readFileSync(path.join(config.signingKeyDir, `${kid}.pem`), "utf8"));
      console.log(`kid:        ${kid}`);
      console.log(`public key: ${exportPublicKey(pair.publicKey)} (Ed25519, raw, base64url)`);
      console.log(`directory:  ${config.signingKeyDir}`);
    });
}
