import { ThresholdApiError } from "@threshold/sdk";
import { describe, expect, it } from "vitest";
import { bodyOf, problemOf, type ShipmentDraft } from "./shipment-form";

const DRAFT: ShipmentDraft = {
  trackingNumber: " PX-1001 ",
  siteId: "sit_01",
  method: "in_home",
  date: "2026-12-09",
  from: "14:00",
  to: "18:00",
  residentEmail: "",
  lengthCm: "",
  widthCm: "",
  heightCm: "",
  weightG: "",
  perishable: false,
  frozen: false,
  signatureRequired: false,
  courierId: "",
};

const refusal = (code: string, message: string, details: Record<string, unknown> | null = null) =>
  new ThresholdApiError(400, code, message, "req_1", details);

describe("the new-shipment form", () => {
  it("sends the window as instants of the place's wall clock, and only what was given", () => {
    expect(bodyOf(DRAFT, "Europe/Amsterdam")).toEqual({
      trackingNumber: "PX-1001",
      siteId: "sit_01",
      method: "in_home",
      window: { start: "2026-12-09T13:00:00.000Z", end: "2026-12-09T17:00:00.000Z" },
    });
    expect(
      bodyOf(
        {
          ...DRAFT,
          method: "locker",
          residentEmail: "jo@example.test",
          lengthCm: "30",
          widthCm: "20",
          heightCm: "10",
          weightG: "1200",
          perishable: true,
          frozen: true,
        },
        "UTC",
      ),
    ).toMatchObject({
      residentEmail: "jo@example.test",
      size: { lengthCm: 30, widthCm: 20, heightCm: 10 },
      weightG: 1200,
      flags: { perishable: true, frozen: true },
    });
    // Frozen and the resident are for lockers only.
    const home = bodyOf({ ...DRAFT, frozen: true, residentEmail: "jo@example.test" }, "UTC");
    expect(home).not.toHaveProperty("flags");
    expect(home).not.toHaveProperty("residentEmail");
  });

  it("says what is missing next to its field before sending", () => {
    expect(bodyOf({ ...DRAFT, siteId: "" }, "UTC")).toMatchObject({ field: "destination" });
    expect(bodyOf({ ...DRAFT, trackingNumber: "  " }, "UTC")).toMatchObject({ field: "trackingNumber" });
    expect(bodyOf({ ...DRAFT, to: "" }, "UTC")).toMatchObject({ field: "window" });
    expect(bodyOf({ ...DRAFT, lengthCm: "30" }, "UTC")).toMatchObject({ field: "size" });
    expect(bodyOf({ ...DRAFT, weightG: "1.5kg" }, "UTC")).toMatchObject({ field: "weightG" });
  });

  it("places the server's refusals next to the field they are about, in the server's words", () => {
    expect(problemOf(refusal("tracking_number_exists", "A shipment with tracking number X exists."))).toEqual({
      field: "trackingNumber",
      message: "A shipment with tracking number X exists.",
    });
    expect(problemOf(refusal("invalid_window", "The window must end after it starts.")).field).toBe("window");
    expect(problemOf(refusal("no_consent", "The recipient has not opened this site.")).field).toBe("method");
    expect(problemOf(refusal("not_a_resident", "Nobody with that email.")).field).toBe("residentEmail");
    expect(problemOf(refusal("parcel_unmeasured", "A trunk delivery needs the size.")).field).toBe("size");
    expect(
      problemOf(refusal("invalid_request", "A locker shipment needs residentEmail: the resident it is for.")).field,
    ).toBe("residentEmail");
  });

  it("turns a schema refusal into plain words for its field", () => {
    const issue = refusal("invalid_request", 'body/trackingNumber must match pattern "^[A-Za-z0-9-]+$".', {
      issues: [{ path: "body/trackingNumber", problem: "must match pattern" }],
    });
    expect(problemOf(issue)).toEqual({
      field: "trackingNumber",
      message: "A tracking number is 4 to 40 letters, digits and hyphens, as printed on the label.",
    });
    const unknown = refusal("invalid_request", "body must NOT have additional properties.", {
      issues: [{ path: "body", problem: "must NOT have additional properties" }],
    });
    expect(problemOf(unknown)).toEqual({ field: null, message: "body must NOT have additional properties." });
    expect(problemOf(new TypeError("Failed to fetch")).field).toBeNull();
  });
});
