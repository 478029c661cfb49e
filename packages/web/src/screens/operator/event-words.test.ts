import { describe, expect, it } from "vitest";
import { eventWords } from "./event-words";

describe("eventWords", () => {
  it("words a door's opening alike under its name and under the name older events were stored with", () => {
    expect(eventWords({ type: "visit.opened" })).toBe("Door opened for the courier");
    expect(eventWords({ type: "visit.open" })).toBe("Door opened for the courier");
  });

  it("shows a type it has no words for as it is", () => {
    expect(eventWords({ type: "locker.parcel_moved" })).toBe("locker.parcel_moved");
    expect(eventWords({ type: "something.else" })).toBe("something.else");
  });
});
