import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";

// ajv and ajv-formats are CommonJS modules whose default export arrives wrapped under ESM.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

function compiler(coerceTypes: boolean | "array") {
  const ajv = new Ajv({ coerceTypes, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  addFormats(ajv);
  return ajv;
}

/**
 * JSON bodies are validated strictly — a number sent as a string is a wrong type and is refused.
 * Query strings, path parameters and headers are text by nature, so there `?limit=20` is read as
 * the integer its schema says.
 */
export function installValidation(app: FastifyInstance): void {
  const strict = compiler(false);
  const coercing = compiler("array");
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema));
}
