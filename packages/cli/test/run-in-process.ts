import { Command } from "commander";
import { vi } from "vitest";

/**
 * Runs `threshold <args>` in this process (the commands `register` adds) and answers what it
 * printed and the exit code it set: the test can drive a server or a fleet it started itself.
 */
export async function runInProcess(
  register: (program: Command) => void,
  args: string[],
): Promise<{ stdout: string; exitCode: number; error?: string }> {
  const program = new Command("threshold").exitOverride();
  register(program);
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => {
    lines.push(values.map(String).join(" "));
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: "user" });
    return { stdout: lines.join("\n"), exitCode: Number(process.exitCode ?? 0) };
  } catch (error) {
    return { stdout: lines.join("\n"), exitCode: 1, error: error instanceof Error ? error.message : String(error) };
  } finally {
    process.exitCode = before;
    log.mockRestore();
  }
}
