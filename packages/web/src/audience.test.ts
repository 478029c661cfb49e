import { describe, expect, it } from "vitest";
import { audienceOf, NAV, startPathOf, usesScreen } from "./audience";

const labels = (audience: Parameters<typeof startPathOf>[0]) => NAV[audience].map((item) => item.label);

describe("the screens each audience uses", () => {
  it("tells a homeowner from a resident by whether they own a site", () => {
    expect(audienceOf("recipient", true)).toBe("homeowner");
    expect(audienceOf("recipient", false)).toBe("resident");
    expect(audienceOf("manager", true)).toBe("manager");
    expect(audienceOf("operator", false)).toBe("operator");
  });

  it("starts a building manager on the lockers dashboard, with the building's devices at hand", () => {
    expect(startPathOf("manager")).toBe("/lockers");
    expect(labels("manager")).toContain("Devices");
    expect(labels("manager")).not.toContain("Keys");
  });

  it("shows a resident the lockers and deliveries, not a homeowner's keys and devices", () => {
    expect(startPathOf("resident")).toBe("/lockers");
    expect(labels("resident")).toEqual(["Lockers", "Deliveries"]);
    expect(usesScreen("resident", "/keys")).toBe(false);
    expect(usesScreen("resident", "/devices")).toBe(false);
    expect(usesScreen("resident", "/deliveries/shp_1")).toBe(true);
  });

  it("keeps the homeowner's and the other roles' start screens", () => {
    expect(startPathOf("homeowner")).toBe("/home");
    expect(startPathOf("courier")).toBe("/stops");
    expect(startPathOf("carrier_admin")).toBe("/shipments");
    expect(startPathOf("operator")).toBe("/fleet");
  });
});
