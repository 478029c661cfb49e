import { Command } from "commander";
import { registerAuditCommands } from "./commands/audit.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerCarCommands } from "./commands/car.js";
import { registerCourierCommands } from "./commands/courier.js";
import { registerDbCommands } from "./commands/db.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDeviceCommands } from "./commands/device.js";
import { registerKeypadCommands } from "./commands/keypad.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerLockerCommands } from "./commands/locker.js";
import { registerOpenApiCommand } from "./commands/openapi.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSimulateCommand } from "./commands/simulate.js";
import { runCli } from "./run.js";

const program = new Command("threshold")
  .description(
    "Threshold: secure, recorded, unattended delivery.\nSettings come from environment variables; see the README.",
  )
  .showHelpAfterError("(run with --help for usage)");

registerAuditCommands(program);
registerCourierCommands(program);
registerDemoCommand(program);
registerServeCommand(program);
registerSimulateCommand(program);
registerDbCommands(program);
registerBackupCommands(program);
registerKeysCommands(program);
registerKeypadCommands(program);
registerCarCommands(program);
registerDeviceCommands(program);
registerLockerCommands(program);
registerOpenApiCommand(program);

await runCli(program, process.argv);
