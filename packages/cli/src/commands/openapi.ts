import fs from "node:fs";
import type { Command } from "commander";

export function registerOpenApiCommand(program: Command): void {
  program
    .command("openapi")
    .description("Write the OpenAPI document generated from the route schemas (committed as docs/openapi.json)")
    .option("--out <file>", "where to write it; standard output when omitted")
    .action(async (options: { out?: string }) => {
      const { generateOpenApiDocument } = await import("@threshold/server");
      const text = `${JSON.stringify(await generateOpenApiDocument(), null, 2)}\n`;
      if (options.out) fs.writeFileSync(options.out, text);
      else process.stdout.write(text);
    });
}
