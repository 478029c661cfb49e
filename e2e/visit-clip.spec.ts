import { type APIRequestContext, type APIResponse, request } from "@playwright/test";
import { createStopForSam } from "./support/courier-stops.js";
import { baseUrl, DEMO, DEMO_PASSWORD, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

const HOUR = 3_600_000;

async function json<T>(response: APIResponse): Promise<T> {
  expect(response.ok(), `${response.url()}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

interface Clip {
  state: "recording" | "complete" | "incomplete";
  from: string;
  until: string | null;
  gaps: { from: string; until: string }[];
  segments: { id: string; startedAt: string; durationMs: number }[];
  playlistUrl: string;
  downloadUrl: string;
}

interface Proof {
  visit: { id: string; openedAt: string | null; securedAt: string | null };
  clip: { state: string; segments: unknown[] } | null;
}

/** Whether a segment of the clip holds the instant: there is video of it. */
const covers = (clip: Clip, iso: string) => {
  const at = Date.parse(iso);
  return clip.segments.some((s) => Date.parse(s.startedAt) <= at && at <= Date.parse(s.startedAt) + s.durationMs);
};

test.describe("recipient: the visit's clip in the proof", () => {
  let courier: APIRequestContext;
  let trackingNumber: string;
  let shipmentId: string;

  test.beforeAll(async () => {
    // A stop of this test's own, so nothing depends on what other specs did with the demo's.
    trackingNumber = `E2E-CLIP-${Date.now().toString(36).toUpperCase()}`;
    const now = Date.now();
    shipmentId = await createStopForSam(trackingNumber, {
      start: new Date(now - HOUR / 2),
      end: new Date(now + 3 * HOUR),
    });
    courier = await request.newContext({ baseURL: baseUrl() });
    await json(await courier.post("/v1/auth/login", { data: { email: DEMO.courier, password: DEMO_PASSWORD } }));
  });
  test.afterAll(async () => courier?.dispose());

  test("Alex watches the camera's real video of the delivery, sees it finish recording, and verifies it", async ({
    page,
  }) => {
    // The clip records on for the post-roll (10 s) and settles before it is complete.
    test.setTimeout(180_000);
    await signInAs(page, DEMO.recipient);
    const { sites } = await json<{ sites: { id: string; location: { lat: number; lng: number } }[] }>(
      await page.request.get("/v1/sites"),
    );
    const home = sites[0];
    if (!home) throw new Error("the demo seeded no home for Alex");

    // The door opens only with live video: wait until the stop is ready (the camera streams real H.264).
    await expect
      .poll(
        async () => {
          const { stops } = await json<{ stops: { trackingNumber: string; readiness: { ready: boolean } | null }[] }>(
            await courier.get("/v1/courier/stops"),
          );
          return stops.find((s) => s.trackingNumber === trackingNumber)?.readiness?.ready ?? false;
        },
        { message: "the stop is ready to open (camera live)", timeout: 30_000 },
      )
      .toBe(true);

    const visit = await json<{ id: string; status: string }>(
      await courier.post("/v1/visits", {
        data: { trackingNumber, location: home.location, siteId: home.id },
        headers: { "idempotency-key": `e2e-${trackingNumber}` },
      }),
    );
    try {
      expect(visit.status).toBe("open");
      // The courier is inside for a few seconds: the unlock and the locking are far apart in the clip.
      await page.waitForTimeout(4_000);
    } finally {
      // Whatever happened above, the demo home is left locked.
      const secured = await json<{ status: string }>(await courier.post(`/v1/visits/${visit.id}/secure`));
      expect(secured.status).toBe("secured");
    }

    await page.goto(`/deliveries/${shipmentId}`);
    await expect(page.getByRole("heading", { name: "Proof of delivery" })).toBeVisible();
    const video = page.getByRole("region", { name: "Video" });
    const state = video.getByTestId("clip-state");
    // The post-roll is still arriving.
    await expect(state).toHaveText("Recording…");

    // The player plays the clip's HLS (hls.js): muted, and its time moves on.
    const player = video.getByTestId("clip-player");
    await expect(player).toBeVisible();
    expect(await player.evaluate((v: HTMLVideoElement) => v.muted && v.controls && v.playsInline)).toBe(true);
    await expect
      .poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), {
        message: "video metadata",
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(1);
    await player.evaluate((v: HTMLVideoElement) => {
      void v.play();
    });
    await expect
      .poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime), {
        message: "the clip plays",
        timeout: 30_000,
      })
      .toBeGreaterThan(1);
    expect(await player.evaluate((v: HTMLVideoElement) => v.error)).toBeNull();
    // The unlock is a moment to jump to.
    await expect(
      video.getByRole("button", { name: /^Play from door unlocked, \d+:\d\d into the video$/ }),
    ).toBeVisible();

    // The screen refreshes the clip until the post-roll has arrived and it is complete.
    await expect(state).toHaveText("Complete", { timeout: 60_000 });
    const clip = await json<Clip>(await page.request.get(`/v1/visits/${visit.id}/clip`));
    expect(clip.state).toBe("complete");
    expect(clip.gaps).toEqual([]);

    // By the segments' own times, the clip holds the unlock and the locking, with pre- and post-roll.
    const proof = await json<Proof>(await page.request.get(`/v1/shipments/${shipmentId}/proof`));
    const { openedAt, securedAt } = proof.visit;
    if (!openedAt || !securedAt)
      throw new Error(`the visit was not opened and secured: ${JSON.stringify(proof.visit)}`);
    expect(covers(clip, openedAt), `video of the unlock at ${openedAt}`).toBe(true);
    expect(covers(clip, securedAt), `video of the locking at ${securedAt}`).toBe(true);
    const first = clip.segments[0];
    const last = clip.segments.at(-1);
    if (!first || !last) throw new Error("the clip has no segments");
    expect(Date.parse(first.startedAt)).toBeLessThan(Date.parse(openedAt) - 5_000);
    expect(Date.parse(last.startedAt) + last.durationMs).toBeGreaterThan(Date.parse(securedAt) + 5_000);
    expect(proof.clip?.segments).toHaveLength(clip.segments.length);

    // Finished: the playlist is VOD, and the download is the clip as an MP4.
    const playlist = await (await page.request.get(clip.playlistUrl)).text();
    expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
    expect(playlist).toContain("#EXT-X-ENDLIST");
    const download = video.getByTestId("clip-download");
    await expect(download).toHaveText("Download MP4");
    await expect(download).toHaveAttribute("href", clip.downloadUrl);
    await expect(download).toHaveAttribute("download", "");
    const mp4 = await page.request.get(clip.downloadUrl);
    expect(mp4.status()).toBe(200);
    expect(mp4.headers()["content-type"]).toContain("video/mp4");
    expect((await mp4.body()).length).toBeGreaterThan(10_000);

    // "Verify proof" checks the clip's chain and every downloaded segment against its hash. The
    // screen reloads the proof once the clip is complete; until it has, a check counts fewer segments.
    const verify = page.getByRole("button", { name: "Verify proof" });
    const result = page.getByRole("status").filter({ hasText: /^Proof (verified|does NOT verify)/ });
    await expect(async () => {
      await verify.click();
      await expect(result).toContainText("Proof verified", { timeout: 15_000 });
      await expect(result).toContainText(`${clip.segments.length} video segments match their hashes`, {
        timeout: 1_000,
      });
    }).toPass({ timeout: 45_000 });
    await expect(result).not.toContainText("no video of the door");

    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, "recipient-proof-clip");
  });
});
