import path from "node:path";
import { CAR_ACTIONS, CAR_SOCKET_NAME, type CarAction, controlCar } from "@threshold/devices/control";
import { type Command, InvalidArgumentError } from "commander";

function coordinate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("a number of degrees");
  return n;
}

const WHAT: Record<CarAction, string> = {
  status: "show what the car reports",
  drive: "start the car and drive off (the trunk locks and stays shut)",
  park: "park the car where it is",
  move: "move the car to --lat/--lng (a new position fix)",
  "open-trunk": "lift the trunk lid, as a courier would (only a released trunk opens)",
  "close-trunk": "shut the trunk lid",
  "open-door": "open a door",
  "close-door": "close the doors",
};

export function registerCarCommands(program: Command): void {
  const car = program
    .command("car")
    .description("The physical world of a simulated car run by `threshold demo` or `threshold simulate`");
  for (const action of CAR_ACTIONS) {
    const command = car
      .command(action)
      .description(WHAT[action])
      .option("--device <name>", "which car, by its simulator name (e.g. family-car); optional when there is one")
      .option(
        "--state-dir <dir>",
        "the simulator's state directory: data/fleet for `threshold demo`, data/simulator for `threshold simulate`",
        path.resolve(process.env.DATA_DIR ?? "data", "fleet"),
      );
    if (action === "move") {
      command
        .requiredOption("--lat <degrees>", "latitude of the new position", coordinate)
        .requiredOption("--lng <degrees>", "longitude of the new position", coordinate);
    }
    command.action(async (options: { device?: string; stateDir: string; lat?: number; lng?: number }) => {
      const answer = await controlCar(path.join(options.stateDir, CAR_SOCKET_NAME), {
        action,
        ...(options.device ? { device: options.device } : {}),
        ...(options.lat !== undefined ? { lat: options.lat } : {}),
        ...(options.lng !== undefined ? { lng: options.lng } : {}),
      });
      if (!answer.ok) throw new Error(answer.error);
      const { state } = answer;
      console.log(
        `${answer.device}: ${state.drive}, ${state.locks}, trunk ${state.trunk}, doors ${state.doors}, at ${state.position.lat.toFixed(5)}, ${state.position.lng.toFixed(5)}`,
      );
      if (answer.note) {
        console.log(`  ${answer.note}`);
        process.exitCode = 1;
      }
    });
  }
}
