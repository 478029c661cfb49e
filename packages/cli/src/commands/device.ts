import path from "node:path";
import type { DeviceRequest } from "@threshold/devices";
import { Argument, type Command, InvalidArgumentError } from "commander";
import { defaultStateDirs, driveDevice, listDevices, STATE_DIR_HELP } from "../simulator/ask-simulators.js";
import { describeDevice } from "../simulator/describe-device.js";

interface StateDirOption {
  stateDir?: string;
}

export function stateDirs(options: StateDirOption): string[] {
  return options.stateDir ? [path.resolve(options.stateDir)] : defaultStateDirs();
}

function number(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} is a number`);
    return n;
  };
}

const VERDICTS: Record<string, string> = {
  opened: "Opened.",
  refused: "Refused: wrong, expired, already used or not enabled.",
  locked_out: "Refused: the keypad is locked out after too many wrong codes.",
};

/** Sends one action, prints what the device now reports (and any note), and sets the exit code. */
export async function runDeviceAction(options: StateDirOption, request: DeviceRequest): Promise<void> {
  const answer = await driveDevice(stateDirs(options), request);
  console.log(describeDevice(answer.device));
  if (answer.note) console.log(`  ${answer.note}`);
  if (answer.verdict) {
    console.log(`  ${VERDICTS[answer.verdict.result] ?? answer.verdict.result}`);
    if (answer.verdict.result !== "opened") process.exitCode = 1;
  }
}

/** A subcommand acting on one device, with --state-dir. */
function deviceCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .argument("<device>", "the device's name in the simulator (see `threshold device list`) or its id (dev_…)")
    .option("--state-dir <dir>", STATE_DIR_HELP);
}

function choice(name: string, choices: string[], description: string): Argument {
  return new Argument(`<${name}>`, description).choices(choices);
}

export function registerDeviceCommands(program: Command): void {
  const device = program
    .command("device")
    .description(
      "Be the physical world of the simulated devices run by `threshold simulate` or `threshold demo`: open doors, jam bolts, warm fridges, break garage beams, freeze cameras, move cars (through the simulator's control.sock)",
    );

  device
    .command("list")
    .description("Every simulated device running, with what it reports")
    .option("--state-dir <dir>", STATE_DIR_HELP)
    .action(async (options: StateDirOption) => {
      for (const { stateDir, devices } of await listDevices(stateDirs(options))) {
        console.log(`${stateDir}:`);
        for (const summary of devices) console.log(`  ${describeDevice(summary)}`);
      }
    });

  deviceCommand(device, "status", "What one device reports").action((name: string, options: StateDirOption) =>
    runDeviceAction(options, { action: "status", device: name }),
  );

  deviceCommand(device, "door", "Open or close the door of a lock, a fridge or a car, as a hand would")
    .addArgument(choice("position", ["open", "close"], "open or close"))
    .action((name: string, position: string, options: StateDirOption) =>
      runDeviceAction(options, { action: position === "open" ? "open-door" : "close-door", device: name }),
    );

  deviceCommand(device, "jam", "Make a lock's bolt stick: it moves no more until `threshold device unjam`").action(
    (name: string, options: StateDirOption) => runDeviceAction(options, { action: "jam", device: name }),
  );
  deviceCommand(device, "unjam", "Free a lock's stuck bolt").action((name: string, options: StateDirOption) =>
    runDeviceAction(options, { action: "clear-jam", device: name }),
  );

  deviceCommand(device, "battery", "Set a lock's battery level (below 20 % it reports battery.low)")
    .argument("<percent>", "0 to 100", number("a battery level"))
    .action((name: string, percent: number, options: StateDirOption) =>
      runDeviceAction(options, { action: "battery", device: name, percent }),
    );

  deviceCommand(device, "fridge-temp", "Set the temperature a fridge lock's sensor reads inside, in °C")
    .argument("<celsius>", "-50 to 100", number("a temperature"))
    .action((name: string, celsius: number, options: StateDirOption) =>
      runDeviceAction(options, { action: "temperature", device: name, celsius }),
    );

  deviceCommand(device, "beam", "Break a garage's safety beam (a box, a foot: a closing door goes back up) or clear it")
    .addArgument(choice("beam", ["broken", "clear"], "broken or clear"))
    .action((name: string, beam: string, options: StateDirOption) =>
      runDeviceAction(options, { action: beam === "broken" ? "break-beam" : "clear-beam", device: name }),
    );

  deviceCommand(
    device,
    "camera",
    "Freeze a camera's picture (it stays connected and says it streams, but no video leaves it) or thaw it",
  )
    .addArgument(choice("picture", ["freeze", "thaw"], "freeze or thaw"))
    .action((name: string, picture: string, options: StateDirOption) =>
      runDeviceAction(options, { action: picture === "freeze" ? "freeze" : "thaw", device: name }),
    );

  deviceCommand(device, "type", "Type a code on a lock's keypad, or at a locker bank's kiosk, and press enter")
    .argument("<code>", "the digits")
    .action((name: string, code: string, options: StateDirOption) =>
      runDeviceAction(options, { action: "type", device: name, code }),
    );

  deviceCommand(device, "move", "Move a car to a new position (a new GPS fix)")
    .requiredOption("--lat <degrees>", "latitude, -90 to 90", number("a latitude"))
    .requiredOption("--lng <degrees>", "longitude, -180 to 180", number("a longitude"))
    .action((name: string, options: StateDirOption & { lat: number; lng: number }) =>
      runDeviceAction(options, { action: "move", device: name, lat: options.lat, lng: options.lng }),
    );

  deviceCommand(device, "drive", "Start driving a car off (its trunk locks and stays shut), or stop and park it")
    .addArgument(choice("drive", ["start", "stop"], "start or stop"))
    .action((name: string, drive: string, options: StateDirOption) =>
      runDeviceAction(options, { action: drive === "start" ? "drive" : "park", device: name }),
    );

  deviceCommand(device, "trunk", "Lift a car's trunk lid (only a released trunk opens) or shut it")
    .addArgument(choice("position", ["open", "close"], "open or close"))
    .action((name: string, position: string, options: StateDirOption) =>
      runDeviceAction(options, { action: position === "open" ? "open-trunk" : "close-trunk", device: name }),
    );
}
