import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ThresholdError } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_ONLY } from "../auth/security.js";
import { EventFeed } from "./event-feed.js";
import { EventStream } from "./event-stream.js";
import { headSeq } from "./repository.js";
import { SSE_HEARTBEAT, sseMessage } from "./sse.js";
import { viewerFor } from "./visibility.js";

export const HEARTBEAT_MS = 15_000;
/** A reader this far behind is cut off; it resumes with Last-Event-ID and loses nothing. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const SEQ_PATTERN = "^[0-9]{1,15}$";

const Query = Type.Object({
  // A string: query values are not coerced (app.ts), and a seq is digits.
  after: Type.Optional(
    Type.String({
      pattern: SEQ_PATTERN,
      description: "Start after this seq (the last event you have). The Last-Event-ID header takes precedence.",
    }),
  ),
});

const Headers = Type.Object({
  "last-event-id": Type.Optional(
    Type.String({
      pattern: SEQ_PATTERN,
      description: "Sent by EventSource when it reconnects: the seq of the last event received.",
    }),
  ),
});

const DESCRIPTION = [
  "Server-Sent Events: the audit events you may see, live and in chain order.",
  "Recipients get the events of their own sites, couriers those of their own visits (and incidents of those visits), operators all; API keys are refused (carriers receive webhooks).",
  "Each message has `id:` the event's seq, `event:` its type (e.g. `visit.opened`) and `data:` the event as JSON, exactly as GET /v1/audit/events returns it.",
  "To resume, send `Last-Event-ID` (EventSource does this itself when it reconnects) or `?after=<seq>`: everything you may see after that seq is sent first, then live events, without gaps or repeats. Without either, the stream starts with the next event.",
  "A comment line is sent every 15 s to keep the connection open.",
].join("\n\n");

/** `GET /v1/events/stream`: live audit events over Server-Sent Events. */
export async function eventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const feed = new EventFeed(ctx);
  const open = new Set<EventStream>();
  let closing = false;

  // Open streams would keep the server from closing; they end first (clients reconnect elsewhere).
  app.addHook("preClose", async () => {
    closing = true;
    for (const stream of open) stream.close();
    feed.close();
  });

  api.get(
    "/events/stream",
    {
      schema: {
        tags: ["events"],
        summary: "Live audit events (Server-Sent Events), resumable with Last-Event-ID",
        description: DESCRIPTION,
        security: SESSION_ONLY,
        querystring: Query,
        headers: Headers,
        response: {
          200: {
            description: "An endless text/event-stream of audit events.",
            content: {
              "text/event-stream": {
                schema: Type.String({ description: "`id: <seq>`, `event: <type>`, `data: <AuditEvent JSON>`" }),
              },
            },
          },
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request, "recipient", "courier", "operator");
      const viewer = viewerFor(user);
      // EventSource reconnects to the same URL with the header, so the header wins over ?after.
      const resumeAfter = request.headers["last-event-id"] ?? request.query.after;
      const after = resumeAfter !== undefined ? Number(resumeAfter) : await headSeq(ctx.db);
      if (closing) throw new ThresholdError("unavailable", "The server is shutting down; reconnect in a moment.");

      reply.hijack();
      const res = reply.raw;
      // The connection ends with the stream: nothing would reuse it, and a kept-alive socket would
      // hold the server's close open until the keep-alive timeout.
      res.shouldKeepAlive = false;
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
        "x-request-id": String(request.id),
      });
      res.write("retry: 1000\n\n");

      let heartbeat: NodeJS.Timeout | undefined;
      const stream = new EventStream(
        ctx.db,
        feed,
        viewer,
        after,
        (event) => {
          res.write(sseMessage(event));
          return res.writableLength <= MAX_BUFFERED_BYTES;
        },
        () => {
          clearInterval(heartbeat);
          open.delete(stream);
          if (!res.writableEnded) res.end();
        },
      );
      open.add(stream);
      heartbeat = setInterval(() => res.write(SSE_HEARTBEAT), HEARTBEAT_MS);
      res.on("close", () => stream.close());
      res.on("error", () => stream.close());
      try {
        await stream.start();
      } catch (err) {
        request.log.warn({ err }, "event stream failed; the client will resume");
        stream.close();
      }
    },
  );
}
