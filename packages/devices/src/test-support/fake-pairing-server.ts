import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { newId, randomSecret } from "@threshold/core";
import type { ServerKey } from "../identity.js";

interface PairingRecord {
  id: string;
  code: string;
  pollToken: string;
  expiresAt: number;
  body: Record<string, unknown>;
  /** Set once an owner has entered the code. */
  deviceId?: string;
  delivered: boolean;
}

export interface FakePairingServerOptions {
  brokerUrl: string;
  serverKeys: ServerKey[];
  currentKid: string;
  /** Sent as offlineSecret in the paired answer when set (servers from before keypad codes send none). */
  offlineSecret?: string;
  pollIntervalMs?: number;
  ttlMs?: number;
}

/**
 * The server side of the pairing HTTP contract, and nothing more: requests get a code, polls
 * see "pending" until claim() is called, then the credentials exactly once. Unknown, expired,
 * wrongly authorized and already delivered requests are all the same 404.
 */
export class FakePairingServer {
  readonly requests: PairingRecord[] = [];
  /** Authorization headers of every poll, in order. */
  readonly pollAuthorizations: (string | undefined)[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakePairingServerOptions,
  ) {}

  static async start(options: FakePairingServerOptions): Promise<FakePairingServer> {
    let fake: FakePairingServer | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response).catch(() => send(response, 500, { error: { code: "internal" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakePairingServer(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  /** What an owner does in the app: enter the code. Returns the new device's id. */
  claim(code: string): string {
    const record = this.requests.find((candidate) => candidate.code === code);
    if (!record || record.deviceId) throw new Error(`no pending pairing with code ${code}`);
    record.deviceId = newId("device");
    return record.deviceId;
  }

  expire(code: string): void {
    const record = this.requests.find((candidate) => candidate.code === code);
    if (record) record.expiresAt = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    if (request.method === "POST" && url.pathname === "/v1/pairing-requests") {
      const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      const record: PairingRecord = {
        id: newId("pairing"),
        code: `ABCD-${String(2345 + this.requests.length)}`,
        pollToken: randomSecret(),
        expiresAt: Date.now() + (this.options.ttlMs ?? 60_000),
        body,
        delivered: false,
      };
      this.requests.push(record);
      send(response, 201, {
        id: record.id,
        code: record.code,
        pollToken: record.pollToken,
        expiresAt: new Date(record.expiresAt).toISOString(),
        pollIntervalMs: this.options.pollIntervalMs ?? 50,
      });
      return;
    }
    const match = /^\/v1\/pairing-requests\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && match) {
      this.pollAuthorizations.push(request.headers.authorization);
      const record = this.requests.find((candidate) => candidate.id === match[1]);
      const authorized = record && request.headers.authorization === `Bearer ${record.pollToken}`;
      if (!record || !authorized || record.delivered || Date.now() > record.expiresAt) {
        send(response, 404, { error: { code: "not_found", message: "No pairing request.", requestId: "req_x" } });
        return;
      }
      if (!record.deviceId) {
        send(response, 200, { status: "pending", expiresAt: new Date(record.expiresAt).toISOString() });
        return;
      }
      record.delivered = true;
      send(response, 200, {
        status: "paired",
        device: { id: record.deviceId, siteId: newId("site"), name: "Front door" },
        mqtt: { url: this.options.brokerUrl, username: record.deviceId, password: randomSecret() },
        serverKeys: this.options.serverKeys,
        currentKid: this.options.currentKid,
        ...(this.options.offlineSecret !== undefined ? { offlineSecret: this.options.offlineSecret } : {}),
      });
      return;
    }
    send(response, 404, { error: { code: "not_found", message: "No such route.", requestId: "req_x" } });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
