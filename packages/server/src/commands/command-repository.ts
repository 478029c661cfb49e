import type { AckMessage } from "@threshold/protocol";
import type { Kysely, Transaction } from "kysely";
import { type AuditLog, type Record_, SYSTEM_ACTOR } from "../audit/audit-log.js";
import type { Database } from "../db/schema.js";

export const TERMINAL_STATUSES = ["succeeded", "failed", "rejected", "timed_out"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type CommandStatus = "created" | TerminalStatus;

const OPEN: CommandStatus[] = ["created"];

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

/** What the audit log says of a command's creation and outcome. */
function recordCommand(
  record: Record_,
  row: { id: string; site_id: string | null; action: string; device_id: string },
  status: CommandStatus,
  data: Record<string, unknown> = {},
) {
  record({
    type: `command.${status}`,
    subjectType: "command",
    subjectId: row.id,
    siteId: row.site_id,
    actor: SYSTEM_ACTOR,
    data: { deviceId: row.device_id, action: row.action, ...data },
  });
}

/**
 * Storage of commands. Creation and every outcome are recorded in the audit chain in the same
 * transaction (DESIGN.md rule 4): a command is `created` from the moment it is stored (it is
 * published as soon as that transaction is durable) until a device's ack, a timeout or a failure
 * to publish closes it. Every transition is conditional on the row still being open, so racing
 * writers cannot both win.
 */
export class CommandRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
  ) {}

  /** Runs `work` in an audited transaction (for callers that have none of their own). */
  transaction<T>(work: (trx: Transaction<Database>, record: Record_) => Promise<T>): Promise<T> {
    return this.audit.transaction(work);
  }

  /**
   * Stores a new command, and its `command.created` audit event, in the caller's transaction: a
   * command is decided, stored and audited together with the state change that called for it.
   * `siteId` saves a lookup when the caller knows it.
   */
  async insert(
    trx: Transaction<Database>,
    record: Record_,
    row: {
      id: string;
      deviceId: string;
      action: string;
      params: unknown;
      kid: string;
      issuedAt: number;
      expiresAt: number;
      signature: string;
      siteId?: string | null;
    },
  ): Promise<void> {
    let siteId = row.siteId;
    if (siteId === undefined) {
      const device = await trx
        .selectFrom("devices")
        .select("site_id")
        .where("id", "=", row.deviceId)
        .executeTakeFirst();
      siteId = device?.site_id ?? null;
    }
    const values = {
      id: row.id,
      device_id: row.deviceId,
      action: row.action,
      params: JSON.stringify(row.params),
      kid: row.kid,
      issued_at: row.issuedAt,
      expires_at: row.expiresAt,
      status: "created",
      completed_at: null,
      reason: null,
      ack: null,
      signature: row.signature,
      site_id: siteId,
    };
    await trx.insertInto("commands").values(values).execute();
    const params = row.params as { visitId?: string };
    recordCommand(record, values, "created", {
      expiresAt: row.expiresAt,
      ...(params.visitId ? { visitId: params.visitId } : {}),
    });
  }

  /** Applies a device's ack; false when the command is unknown for that device or already closed. */
  async complete(ack: AckMessage, at: number): Promise<boolean> {
    return this.audit.transaction(async (trx, record) => {
      const row = await trx
        .updateTable("commands")
        .set({ status: ack.status, reason: ack.reason ?? null, ack: JSON.stringify(ack), completed_at: at })
        .where("id", "=", ack.commandId)
        .where("device_id", "=", ack.deviceId)
        .where("status", "in", OPEN)
        .returning(["id", "site_id", "action", "device_id"])
        .executeTakeFirst();
      if (row) recordCommand(record, row, ack.status, ack.reason ? { reason: ack.reason } : {});
      return row !== undefined;
    });
  }

  /** Closes one open command without an ack (timed out, or never published). */
  async close(id: string, status: "timed_out" | "failed", reason: string, at: number): Promise<boolean> {
    return this.audit.transaction(async (trx, record) => {
      const row = await trx
        .updateTable("commands")
        .set({ status, reason, completed_at: at })
        .where("id", "=", id)
        .where("status", "in", OPEN)
        .returning(["id", "site_id", "action", "device_id"])
        .executeTakeFirst();
      if (row) recordCommand(record, row, status, { reason });
      return row !== undefined;
    });
  }

  /** Every open command that expired before `before` becomes timed_out; returns how many. */
  async timeOutExpired(before: number, at: number): Promise<number> {
    return this.audit.transaction(async (trx, record) => {
      const rows = await trx
        .updateTable("commands")
        .set({ status: "timed_out", reason: "expired", completed_at: at })
        .where("status", "in", OPEN)
        .where("expires_at", "<", before)
        .returning(["id", "site_id", "action", "device_id"])
        .execute();
      for (const row of rows) recordCommand(record, row, "timed_out", { reason: "expired" });
      return rows.length;
    });
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
