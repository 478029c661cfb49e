import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The app is served by the Threshold server itself (packages/server/src/http/web-app.ts); `npm run
 * dev -w @threshold/web` runs Vite with hot reload and sends /v1 to a server on :8080 (npm start).
 */
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { "/v1": "http://127.0.0.1:8080", "/health": "http://127.0.0.1:8080" } },
});
