import type { AckMessage } from "@threshold/protocol";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";

export const TERMINAL_STATUSES = ["succeeded", "failed", "rejected", "timed_out"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type CommandStatus = "created" | "sent" | TerminalStatus;

const OPEN: CommandStatus[] = ["created", "sent"];

export interface CommandRow {
  id: string;
  deviceId: string;
  action: string;
  status: CommandStatus;
  reason: string | null;
  issuedAt: number;
  expiresAt: number;
  ack: AckMessage | null;
}

/** Storage of commands. Every transition is conditional on the row still being open, so racing writers cannot both win. */
export class CommandRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: {
    id: string;
    deviceId: string;
    action: string;
    params: unknown;
    kid: string;
    issuedAt: number;
    expiresAt: number;
    signature: string;
  }): Promise<void> {
    await this.db
      .insertInto("commands")
      .values({
        id: row.id,
        device_id: row.deviceId,
        action: row.action,
        params: JSON.stringify(row.params),
        kid: row.kid,
        issued_at: row.issuedAt,
        expires_at: row.expiresAt,
        status: "created",
        sent_at: null,
        completed_at: null,
        reason: null,
        ack: null,
        signature: row.signature,
      })
      .execute();
  }

  async markSent(id: string, at: number): Promise<void> {
    await this.db
      .updateTable("commands")
      .set({ status: "sent", sent_at: at })
      .where("id", "=", id)
      .where("status", "=", "created")
      .execute();
  }

  /** Applies a device's ack; false when the command is unknown for that device or already closed. */
  async complete(ack: AckMessage, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("commands")
      .set({ status: ack.status, reason: ack.reason ?? null, ack: JSON.stringify(ack), completed_at: at })
      .where("id", "=", ack.commandId)
      .where("device_id", "=", ack.deviceId)
      .where("status", "in", OPEN)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Closes one open command without an ack (timed out, or never published). */
  async close(id: string, status: "timed_out" | "failed", reason: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable("commands")
      .set({ status, reason, completed_at: at })
      .where("id", "=", id)
      .where("status", "in", OPEN)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Every open command that expired before `before` becomes timed_out; returns how many. */
  async timeOutExpired(before: number, at: number): Promise<number> {
    const result = await this.db
      .updateTable("commands")
      .set({ status: "timed_out", reason: "expired", completed_at: at })
      .where("status", "in", OPEN)
      .where("expires_at", "<", before)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async get(id: string): Promise<CommandRow | null> {
    const row = await this.db.selectFrom("commands").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      deviceId: row.device_id,
      action: row.action,
      status: row.status as CommandStatus,
      reason: row.reason,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      ack: row.ack ? (JSON.parse(row.ack) as AckMessage) : null,
    };
  }
}
