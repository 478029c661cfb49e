import type { Command } from "commander";
import { onShutdown } from "../run.js";

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "Run everything on this machine with demo data: migrate, seed accounts and a home, start the server and a simulated lock and camera (paired through the real flow), and print the logins. This is what `npm start` runs.",
    )
    .action(async () => {
      const { startDemo } = await import("../demo/start-demo.js");
      // Ctrl-C stops the demo from the moment its server runs, not only once it is seeded.
      const demo = await startDemo(process.env, { onStop: onShutdown });
      console.log(demo.banner);
    });
}
