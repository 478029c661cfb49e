import { ROLES, type Role } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { Time } from "../../http/schema-types.js";

export const RoleSchema = Type.Enum(ROLES, { description: "What the account may do." });

/** A person's account as the API shows it; never includes the password hash. */
export const User = Type.Object({
  id: Type.String({ description: "usr_…" }),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  carrierId: Type.Union([Type.String(), Type.Null()], { description: "Set for couriers and carrier admins." }),
  createdAt: Time("When the account was created."),
  disabledAt: Type.Union([Time("When the account was disabled."), Type.Null()]),
});
export type User = Static<typeof User>;

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254 }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" }),
    password: Type.String({ minLength: 10, maxLength: 1024, description: "At least 10 characters." }),
    role: RoleSchema,
    carrierId: Type.Optional(
      idParam("carrier", "Required for couriers and carrier admins; carrier admins may leave it out (their own)."),
    ),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const Carrier = Type.Object({
  id: Type.String({ description: "car_…" }),
  name: Type.String(),
  createdAt: Time("When the carrier was added."),
});
export type Carrier = Static<typeof Carrier>;

export const CreateCarrierBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" }) },
  { additionalProperties: false },
);

export const CourierList = Type.Object({ couriers: Type.Array(User) });

export const USER_LIST_MAX = 500;

export const UserListQuery = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: USER_LIST_MAX, description: `1–${USER_LIST_MAX}, default 200.` }),
    ),
  },
  { additionalProperties: false },
);
export type UserListQuery = Static<typeof UserListQuery>;

export const UserList = Type.Object({
  users: Type.Array(User),
  truncated: Type.Boolean({ description: "More accounts match than `limit`: narrow by role or ask for more." }),
});

export type UserRow = Selectable<Database["users"]>;

export function toUser(row: Omit<UserRow, "password_hash">): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    carrierId: row.carrier_id,
    createdAt: new Date(row.created_at).toISOString(),
    disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at).toISOString(),
  };
}

export function toCarrier(row: Selectable<Database["carriers"]>): Carrier {
  return { id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() };
}
