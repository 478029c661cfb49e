import fs from "node:fs";
import path from "node:path";
import { signIn, unwrap } from "@threshold/sdk";
import type { Command } from "commander";
import { defaultServerUrl, fetchFrom, SERVER_OPTION_HELP } from "../server-url.js";

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("The server's command-signing keys (Ed25519)");
  keys
    .command("show")
    .description("Print the current key id and public key, read from SIGNING_KEY_DIR")
    .action(async () => {
      const { loadConfig } = await import("@threshold/server");
      const { exportPublicKey, importPrivateKeyPem } = await import("@threshold/protocol");
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

  keys
    .command("rotate")
    .description(
      "Make a new signing key current and announce it to every device, signed by the key each device trusts (asks the running server; needs an operator login)",
    )
    .option("--server <url>", SERVER_OPTION_HELP, defaultServerUrl())
    .option("--email <email>", "an operator's email", process.env.THRESHOLD_EMAIL)
    .option("--password <password>", "that operator's password", process.env.THRESHOLD_PASSWORD)
    .action(async (options: { server: string; email?: string; password?: string }) => {
      if (!options.email || !options.password) {
        throw new Error(
          "keys rotate needs an operator login: --email and --password (or THRESHOLD_EMAIL and THRESHOLD_PASSWORD)",
        );
      }
      const { client } = await signIn(options.server, options.email, options.password, fetchFrom(options.server));
      console.log("Rotating; waiting for online devices to confirm…");
      const result = unwrap(await client.POST("/v1/operator/keys/rotate"));
      console.log(`New key ${result.kid} (${result.publicKey}) is current.`);
      console.log(
        `Devices: ${result.devices.confirmed} of ${result.devices.total} confirmed` +
          (result.devices.pending > 0 ? `; ${result.devices.pending} offline will be told when they reconnect.` : "."),
      );
    });
}
