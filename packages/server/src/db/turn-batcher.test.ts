import { describe, expect, it } from "vitest";
import { TurnBatcher } from "./turn-batcher.js";

describe("TurnBatcher", () => {
  it("writes what arrives in one turn as one batch, and answers each caller with its own result", async () => {
    const batches: number[][] = [];
    const batcher = new TurnBatcher<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((n) => n * 10);
    });
    const first = await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(first).toEqual([10, 20, 30]);
    expect(await batcher.add(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("gathers what arrives while a batch is written into the next, written after it in order", async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const batcher = new TurnBatcher<string, string>(async (items) => {
      order.push(`start ${items.join(",")}`);
      started();
      if (items.includes("a")) await gate;
      order.push(`end ${items.join(",")}`);
      return items;
    });
    const a = batcher.add("a");
    await firstStarted;
    const b = batcher.add("b");
    const c = batcher.add("c");
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    expect(await Promise.all([a, b, c])).toEqual(["a", "b", "c"]);
    expect(order).toEqual(["start a", "end a", "start b,c", "end b,c"]);
  });

  it("fails every caller of a failed batch, and goes on with the next", async () => {
    const batcher = new TurnBatcher<number, number>(async (items) => {
      if (items.includes(0)) throw new Error("no zeros");
      return items;
    });
    const failed = [batcher.add(0), batcher.add(1)];
    await expect(failed[0]).rejects.toThrow("no zeros");
    await expect(failed[1]).rejects.toThrow("no zeros");
    expect(await batcher.add(2)).toBe(2);
    await expect(batcher.idle()).resolves.toBeUndefined();
  });
});
