import { systemClock } from "@threshold/core";
import type { Command } from "commander";
import { openExistingStorage } from "../existing-storage.js";

const PROBLEMS: Record<string, string> = {
  gap: "is missing (an event was deleted)",
  broken_link: "does not link to the event before it (events were reordered, inserted or deleted)",
  bad_hash: "does not match its hash (it was edited)",
  head_mismatch: "is missing: the chain ends early (the newest events were deleted)",
};

export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("The hash-chained audit log");
  audit
    .command("verify")
    .description("Re-walk the whole audit log; exit 1 naming the first edited, deleted or reordered event")
    .action(async () => {
      const { AuditLog, loadConfig } = await import("@threshold/server");
      const config = loadConfig();
      const storage = await openExistingStorage(config);
      try {
        const log = new AuditLog(storage.db, storage.dialect, systemClock);
        const result = await log.verify((checked) => process.stderr.write(`\rchecked ${checked} events…`));
        process.stderr.write("\r");
        if (result.ok) {
          console.log(`The audit log is intact: ${result.checked} events, every link and hash checked.`);
          return;
        }
        console.error(
          `The audit log has been tampered with: event ${result.problem.seq} ${PROBLEMS[result.problem.kind]}.`,
        );
        console.error(`${result.checked} events before it are intact.`);
        process.exitCode = 1;
      } finally {
        await storage.close();
      }
    });
}
