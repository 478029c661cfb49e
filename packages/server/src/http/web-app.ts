import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { sendRouteNotFound } from "./errors.js";

/** Paths the web app must never shadow: a typo under them gets the API's JSON 404, not the app. */
const SERVER_PREFIXES = ["/v1/", "/v1", "/health", "/docs"];
/**
 * Pages whose URL carries a secret (a guest key's share token, docs/guest-keys.md): never stored by
 * a browser or proxy, and never sent on as a referrer by the page's own requests or links.
 */
const SECRET_URL_PREFIXES = ["/k/"];

/**
 * Serves the built web app from `webDir` at `/`, with the app's index for every other GET that asks
 * for HTML (client-side routes such as /deliveries/shp_… load the app, which then routes). Hashed
 * assets are cached for a year; the index never, so a new build is picked up at the next load.
 */
export async function serveWebApp(app: FastifyInstance, webDir: string): Promise<void> {
  const index = path.join(webDir, "index.html");
  if (!fs.existsSync(index)) {
    app.setNotFoundHandler(sendRouteNotFound);
    app.get("/", { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type("text/plain; charset=utf-8")
        .send(
          `The web app is not built (no ${index}).\nRun \`npm run build -w @threshold/web\` (npm start does it for you), then reload.\nThe API is at /v1 and its documentation at /docs.\n`,
        ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: webDir,
    wildcard: false,
    index: false,
    // Runs last, after the plugin's own headers, for every file it sends (the index included).
    setHeaders: (reply: FastifyReply, filePath: string) => {
      const url = reply.request.url.split("?")[0] ?? "/";
      if (SECRET_URL_PREFIXES.some((prefix) => url.startsWith(prefix))) {
        reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
        return;
      }
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const sendIndex = (reply: FastifyReply) => reply.sendFile("index.html");
  app.get("/", { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split("?")[0] ?? "/";
    const isServerPath = SERVER_PREFIXES.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));
    const wantsPage = request.method === "GET" && (request.headers.accept ?? "").includes("text/html");
    if (!isServerPath && wantsPage) return sendIndex(reply);
    return sendRouteNotFound(request, reply);
  });
}
