import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ThresholdError } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParam } from "../../http/ownership.js";
import { PUBLIC, SESSION_ONLY } from "../auth/security.js";
import { RoleSchema } from "../users/schemas.js";
import { typeOnDemoKeypad } from "./keypad.js";
import { handAtDemoLocker } from "./locker.js";

const DemoLogins = Type.Object(
  {
    password: Type.String(),
    accounts: Type.Array(
      Type.Object({
        email: Type.String(),
        name: Type.String(),
        role: RoleSchema,
        title: Type.Optional(
          Type.String({
            description:
              "What the demo calls this account, as its start-up banner does (e.g. Resident: a recipient who collects from a building's lockers).",
          }),
        ),
      }),
    ),
  },
  { $id: "DemoLogins" },
);

const KeypadBody = Type.Object(
  {
    deviceId: idParam("device", "The lock whose keypad to type on (dev_…)."),
    code: Type.String({ pattern: "^[0-9]{1,16}$", description: "The digits, as typed." }),
  },
  { additionalProperties: false },
);

const KeypadVerdict = Type.Object(
  {
    result: Type.Union(
      [Type.Literal("opened"), Type.Literal("refused"), Type.Literal("locked_out"), Type.Literal("not_now")],
      {
        description:
          "opened: the lock unlocked (and reports pin.used); refused: wrong, not enabled, outside its validity or already used, counting towards the lockout; locked_out: refused unread, too many wrong codes; not_now: a guest key typed outside its hours or before its start, refused without counting.",
      },
    ),
    wrongInARow: Type.Optional(Type.Integer({ minimum: 0 })),
    lockedOut: Type.Optional(Type.Boolean({ description: "refused: this refusal reached the limit." })),
    lockedOutUntil: Type.Optional(Type.String({ format: "date-time" })),
  },
  { $id: "DemoKeypadVerdict" },
);

const DemoLockerBody = Type.Object(
  {
    bankId: idParam("lockerBank", "The demo's locker bank (lkb_…)."),
    compartment: Type.Integer({ minimum: 1, maximum: 128 }),
    action: Type.Union([Type.Literal("put"), Type.Literal("take"), Type.Literal("close")]),
  },
  { additionalProperties: false },
);

/**
 * The demo's logins, for the sign-in page. Only `threshold demo` sets them; every other server
 * answers 404, so a real deployment never advertises accounts.
 */
export async function demoRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/demo",
    {
      schema: {
        tags: ["system"],
        summary: "Demo logins (only on a server started with `threshold demo`)",
        security: PUBLIC,
        response: { 200: DemoLogins, ...errorResponses(404) },
      },
    },
    async () => {
      if (!ctx.demo) throw new ThresholdError("not_found", "This server is not a demo.");
      return ctx.demo;
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/demo/keypad",
    {
      schema: {
        tags: ["system"],
        summary: "Type a code on a demo lock's keypad (only on a server started with `threshold demo`)",
        description:
          "A stand-in for fingers at the door, for the web app's demo keypad. Only the lock's owner may type. 404 on any server but the demo, for someone else's lock, or a lock the demo does not simulate; 422 device_kind_mismatch for a device without a keypad.",
        security: SESSION_ONLY,
        body: KeypadBody,
        response: { 200: KeypadVerdict, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const verdict = await typeOnDemoKeypad(ctx, requireActor(request), request.body.deviceId, request.body.code);
      if (verdict.result === "locked_out") {
        return { result: verdict.result, lockedOutUntil: new Date(verdict.untilMs).toISOString() };
      }
      if (verdict.result === "not_now") return { result: verdict.result };
      return verdict;
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/demo/locker",
    {
      schema: {
        tags: ["system"],
        summary: "Demo only: hands at a simulated locker bank (put a parcel in, take it out, close the door)",
        description:
          "Stands in for the physical world at the demo's locker controller, which then reports what its door and occupancy sensors see, signed, as a real one would. Needs a demo login, like the demo keypad. 404 on every server but `threshold demo`; 409 for a bank the demo does not run or a compartment that is not open.",
        security: SESSION_ONLY,
        body: DemoLockerBody,
        response: { 200: Type.Object({ done: Type.Boolean() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { bankId, compartment, action } = request.body;
      await handAtDemoLocker(ctx, requireActor(request), bankId, compartment, action);
      return { done: true };
    },
  );
}
