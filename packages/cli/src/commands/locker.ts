import type { DeviceAction } from "@threshold/devices";
import { type Command, InvalidArgumentError } from "commander";
import { STATE_DIR_HELP } from "../simulator/ask-simulators.js";
import { runDeviceAction } from "./device.js";

function compartment(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1) throw new InvalidArgumentError("a compartment number, from 1");
  return n;
}

/** The hands at a simulated locker bank, and what each does. */
const HANDS: { name: string; alias?: string; action: DeviceAction; description: string }[] = [
  {
    name: "put",
    alias: "deposit",
    action: "put",
    description:
      "Put a parcel into an open compartment (a courier's drop-off opens it); closing the door then counts the deposit",
  },
  { name: "take", action: "take", description: "Take everything out of an open compartment (a pickup opens it)" },
  { name: "close", action: "close", description: "Push a compartment's door shut: the bank reports what is inside" },
  { name: "jam", action: "jam", description: "Make a compartment's latch stick: the next command to open it fails" },
  { name: "unjam", action: "clear-jam", description: "Free a compartment's stuck latch" },
];

export function registerLockerCommands(program: Command): void {
  const locker = program
    .command("locker")
    .description(
      "Hands at a simulated parcel locker bank run by `threshold simulate` or `threshold demo`: put a parcel in, take it out, close a door, jam a latch",
    );
  for (const hand of HANDS) {
    const command = locker
      .command(hand.name)
      .description(hand.description)
      .argument("<bank>", "the locker controller's name in the simulator (see `threshold device list`) or its id")
      .argument("<compartment>", "the compartment's number", compartment)
      .option("--state-dir <dir>", STATE_DIR_HELP);
    if (hand.alias) command.alias(hand.alias);
    command.action((bank: string, n: number, options: { stateDir?: string }) =>
      runDeviceAction(options, { action: hand.action, device: bank, compartment: n }),
    );
  }
}
