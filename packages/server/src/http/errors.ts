import { ThresholdError } from "@threshold/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: Record<string, unknown> };
}

function body(request: FastifyRequest, code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, requestId: String(request.id), ...(details ? { details } : {}) } };
}

/** Maps every failure to the stable error shape; 500s say nothing about internals. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ThresholdError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ThresholdError) {
      const retryAfter = error.details?.retryAfterSeconds;
      if (error.code === "rate_limited" && typeof retryAfter === "number")
        reply.header("retry-after", String(retryAfter));
      return reply.status(error.status).send(body(request, error.code, error.message, error.details));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const issues = fastifyError.validation.map((v) => ({
        path: `${fastifyError.validationContext ?? "body"}${v.instancePath || ""}`,
        problem: v.message ?? "is invalid",
      }));
      const first = issues[0];
      return reply.status(400).send(
        body(request, "invalid_request", first ? `${first.path} ${first.problem}.` : "The request is invalid.", {
          issues,
        }),
      );
    }
    switch (fastifyError.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return reply.status(400).send(body(request, "invalid_json", "The request body is not valid JSON."));
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return reply.status(413).send(body(request, "payload_too_large", "The request body is too large."));
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return reply.status(415).send(body(request, "unsupported_media_type", "Send the body as application/json."));
    }
    if (fastifyError.statusCode === 429) {
      return reply.status(429).send(body(request, "rate_limited", "Too many requests; wait a moment and try again."));
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send(body(request, "invalid_request", fastifyError.message));
    }
    request.log.error({ err: error }, "unhandled error");
    return reply
      .status(500)
      .send(body(request, "internal", "Something went wrong on our side. Quote the request id if you report it."));
  });
}

/** The answer to a route that does not exist (installed by `serveWebApp`, which also serves the app's pages). */
export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply): void {
  reply.status(404).send(body(request, "not_found", `There is no ${request.method} ${request.url.split("?")[0]}.`));
}
