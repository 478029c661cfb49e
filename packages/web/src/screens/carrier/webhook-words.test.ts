import { describe, expect, it } from "vitest";
import { canRetry, deliveryWords, lastAnswer, trackingNumberOf } from "./webhook-words";

describe("a delivery in words", () => {
  it("tells a first send from a retry waiting for its time", () => {
    expect(deliveryWords({ status: "pending", attemptCount: 0 }).label).toBe("Sending");
    expect(deliveryWords({ status: "pending", attemptCount: 2 }).label).toBe("Failing: will retry");
    expect(deliveryWords({ status: "succeeded", attemptCount: 1 }).label).toBe("Delivered");
    expect(deliveryWords({ status: "failed", attemptCount: 8 }).label).toBe("Failed");
  });

  it("offers a retry only after a failure, and never on a disabled endpoint", () => {
    expect(canRetry({ status: "failed", attemptCount: 8 }, false)).toBe(true);
    expect(canRetry({ status: "pending", attemptCount: 1 }, false)).toBe(true);
    expect(canRetry({ status: "pending", attemptCount: 0 }, false)).toBe(false);
    expect(canRetry({ status: "succeeded", attemptCount: 1 }, false)).toBe(false);
    expect(canRetry({ status: "failed", attemptCount: 8 }, true)).toBe(false);
  });

  it("says the receiver's last answer, or why there was none", () => {
    expect(lastAnswer({ lastStatusCode: 500, lastError: "HTTP 500" })).toBe("HTTP 500");
    expect(lastAnswer({ lastStatusCode: null, lastError: "connection refused" })).toBe("connection refused");
    expect(lastAnswer({ lastStatusCode: null, lastError: null })).toBeNull();
  });

  it("names the shipment when the payload does", () => {
    expect(trackingNumberOf({ payload: { data: { trackingNumber: "PX-1" } } })).toBe("PX-1");
    expect(trackingNumberOf({ payload: { data: { incidentId: "inc_1" } } })).toBeNull();
    expect(trackingNumberOf({ payload: {} })).toBeNull();
  });
});
