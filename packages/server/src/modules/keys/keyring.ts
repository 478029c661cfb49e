import fs from "node:fs";
import path from "node:path";
import type { Clock } from "@threshold/core";
import {
  type Ed25519KeyPair,
  exportPrivateKeyPem,
  exportPublicKey,
  generateEd25519,
  importPrivateKeyPem,
  signMessage,
} from "@threshold/protocol";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

export interface PublicServerKey {
  kid: string;
  publicKey: string;
  createdAt: number;
  retiredAt: number | null;
}

const CURRENT_FILE = "current";

/**
 * The server's Ed25519 signing keys. Private keys live only in files under the key directory
 * (mode 0600, never in the database); public keys are also recorded in the database so anyone
 * can verify old proofs after a rotation.
 */
export class Keyring {
  private constructor(
    private readonly dir: string,
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private current: { kid: string; pair: Ed25519KeyPair },
    private keys: PublicServerKey[],
  ) {}

  /** Loads the current key, creating the first one on a new installation. */
  static async open(dir: string, db: Kysely<Database>, clock: Clock): Promise<Keyring> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const currentFile = path.join(dir, CURRENT_FILE);
    let kid = fs.existsSync(currentFile) ? fs.readFileSync(currentFile, "utf8").trim() : null;
    if (!kid) kid = writeNewKey(dir, clock).kid;
    const pair = importPrivateKeyPem(fs.readFileSync(keyFile(dir, kid), "utf8"));
    const keyring = new Keyring(dir, db, clock, { kid, pair }, []);
    await keyring.recordPublicKey(kid, exportPublicKey(pair.publicKey));
    await keyring.reload();
    return keyring;
  }

  get currentKid(): string {
    return this.current.kid;
  }

  /** Every public key this installation has used, newest last. */
  publicKeys(): readonly PublicServerKey[] {
    return this.keys;
  }

  /** The keys a device should trust now: only the current one. */
  trustedByDevices(): { kid: string; publicKey: string }[] {
    return [{ kid: this.current.kid, publicKey: exportPublicKey(this.current.pair.publicKey) }];
  }

  sign<T extends object>(message: T): T & { sig: string } {
    return signMessage(message, this.current.pair.privateKey);
  }

  /**
   * Signs with an earlier key, which only rotation commands do: a device that missed a rotation
   * still trusts its old key, and learns of the new one through a message signed by the old.
   * Null when that key's private half is not in the key directory.
   */
  signWith<T extends object>(kid: string, message: T): (T & { sig: string }) | null {
    if (kid === this.current.kid) return this.sign(message);
    let file: string;
    try {
      file = keyFile(this.dir, kid);
    } catch {
      return null;
    }
    if (!fs.existsSync(file)) return null;
    return signMessage(message, importPrivateKeyPem(fs.readFileSync(file, "utf8")).privateKey);
  }

  /**
   * Makes a new key current and returns the old key's pair, which signs the rotation commands
   * that tell devices to trust the new one. `db` may be a transaction (the rotation's audit event
   * commits with it); should it roll back, the key files already name the new key, and the next
   * start records its public key again.
   */
  async rotate(db: Kysely<Database> = this.db): Promise<{
    previous: { kid: string; pair: Ed25519KeyPair };
    next: { kid: string; publicKey: string };
  }> {
    const previous = this.current;
    const created = writeNewKey(this.dir, this.clock);
    this.current = { kid: created.kid, pair: created.pair };
    const publicKey = exportPublicKey(created.pair.publicKey);
    await this.recordPublicKey(created.kid, publicKey, db);
    await db
      .updateTable("server_keys")
      .set({ retired_at: this.clock.now() })
      .where("kid", "=", previous.kid)
      .where("retired_at", "is", null)
      .execute();
    await this.reload(db);
    return { previous, next: { kid: created.kid, publicKey } };
  }

  private async recordPublicKey(kid: string, publicKey: string, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto("server_keys")
      .values({ kid, public_key: publicKey, created_at: this.clock.now(), retired_at: null })
      .onConflict((oc) => oc.column("kid").doNothing())
      .execute();
  }

  private async reload(db: Kysely<Database> = this.db): Promise<void> {
    const rows = await db.selectFrom("server_keys").selectAll().orderBy("created_at").orderBy("kid").execute();
    this.keys = rows.map((r) => ({
      kid: r.kid,
      publicKey: r.public_key,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    }));
  }
}

function keyFile(dir: string, kid: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(kid)) throw new Error(`bad key id in ${dir}: ${kid}`);
  return path.join(dir, `${kid}.pem`);
}

function writeNewKey(dir: string, clock: Clock): { kid: string; pair: Ed25519KeyPair } {
  const pair = generateEd25519();
  // Key ids sort by creation: "k" + UTC timestamp + a short random tail against same-second rotations.
  const stamp = new Date(clock.now())
    .toISOString()
    .replace(/[-:.TZ]/g, "")
    .slice(0, 14);
  const kid = `k${stamp}${exportPublicKey(pair.publicKey).slice(0, 6).replace(/[-_]/g, "x")}`;
  const file = keyFile(dir, kid);
  fs.writeFileSync(file, exportPrivateKeyPem(pair.privateKey), { mode: 0o600, flag: "wx" });
  const tmp = path.join(dir, `${CURRENT_FILE}.tmp`);
  fs.writeFileSync(tmp, kid, { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, CURRENT_FILE));
  return { kid, pair };
}
