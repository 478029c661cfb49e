import path from "node:path";
import { KEYPAD_SOCKET_NAME, typeOnKeypad } from "@threshold/devices/control";
import { type Command, InvalidArgumentError } from "commander";

function digits(value: string): string {
  if (!/^[0-9]{1,16}$/.test(value)) throw new InvalidArgumentError("digits only, 1 to 16 of them");
  return value;
}

const VERDICTS: Record<string, string> = {
  opened: "Opened: the lock unlocked.",
  refused: "Refused: wrong, expired, already used or not enabled.",
  locked_out: "Refused: the keypad is locked out after too many wrong codes.",
  not_now: "Not now: a guest key outside its hours (not counted as a wrong code).",
};

export function registerKeypadCommands(program: Command): void {
  const keypad = program
    .command("keypad")
    .description("The keypad of a simulated lock run by `threshold demo` or `threshold simulate`");
  keypad
    .command("type")
    .description(
      "Type a code on a simulated lock's keypad and press enter, as a courier at the door would (one-time codes open only after check-in; offline codes work with no network)",
    )
    .argument("<code>", "the digits", digits)
    .option("--device <name>", "which lock, by its simulator name (e.g. front-door-lock); optional when there is one")
    .option(
      "--state-dir <dir>",
      "the simulator's state directory: data/fleet for `threshold demo`, data/simulator for `threshold simulate`",
      path.resolve(process.env.DATA_DIR ?? "data", "fleet"),
    )
    .action(async (code: string, options: { device?: string; stateDir: string }) => {
      const answer = await typeOnKeypad(path.join(options.stateDir, KEYPAD_SOCKET_NAME), code, options.device);
      if (!answer.ok) throw new Error(answer.error);
      const { verdict } = answer;
      const detail =
        verdict.result === "refused"
          ? ` (${verdict.wrongInARow} wrong in a row${verdict.lockedOut ? "; the keypad is now locked out" : ""})`
          : verdict.result === "locked_out"
            ? ` Try again after ${new Date(verdict.untilMs).toLocaleTimeString()}.`
            : "";
      console.log(`${answer.device}: ${VERDICTS[verdict.result]}${detail}`);
      if (verdict.result !== "opened") process.exitCode = 1;
    });
}
