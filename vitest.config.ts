import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Timeouts bound a failure, never a verdict (docs/testing.md): an integration test starts a real
    // server, broker and devices, which on a busy 2-core machine takes many times its idle time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start brokers and servers; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
