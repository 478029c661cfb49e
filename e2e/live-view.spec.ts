import type { Locator, Page } from "@playwright/test";
import { type FrozenCamera, freezeDemoCamera } from "./support/camera.js";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

/** The camera's live view on Alex's front-door card, opened as a person would. */
async function openDoorCamera(page: Page): Promise<Locator> {
  await signInAs(page, DEMO.recipient);
  const door = page.getByRole("article", { name: "Front door" });
  await door.getByRole("button", { name: "Show camera of Front door" }).click();
  const player = door.getByRole("region", { name: "Camera at Front door" });
  await expect(player).toBeVisible();
  return player;
}

/** The <video>'s position in seconds. */
const playhead = (player: Locator) => player.locator("video").evaluate((video: HTMLVideoElement) => video.currentTime);

interface Freshness {
  freshness: "live" | "stale";
  lastFrameAt: string | null;
}

test.describe("recipient: the camera's live view", () => {
  let frozen: FrozenCamera | undefined;
  // Whatever happens, the demo camera is thawed: the specs after this one deliver with it.
  test.afterEach(() => frozen?.resume());

  test("plays the door's live video with LIVE, and says STALE with the last frame's time when the camera freezes", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const player = await openDoorCamera(page);
    const badge = player.getByTestId("camera-freshness");
    const cameraId = await page.evaluate(async () => {
      const response = await fetch("/v1/sites", { credentials: "same-origin" });
      const { sites } = (await response.json()) as { sites: { id: string }[] };
      const points = await fetch(`/v1/sites/${sites[0]?.id}/access-points`, { credentials: "same-origin" });
      const body = (await points.json()) as { accessPoints: { cameraDeviceIds: string[] }[] };
      return body.accessPoints[0]?.cameraDeviceIds[0] ?? "";
    });
    expect(cameraId).toMatch(/^dev_/);

    // Real H.264 from the demo camera's ffmpeg, through hls.js: the picture moves on.
    await expect(badge).toHaveText("LIVE", { timeout: 30_000 });
    await expect.poll(() => playhead(player), { message: "the live video plays", timeout: 30_000 }).toBeGreaterThan(0);
    const first = await playhead(player);
    await expect
      .poll(() => playhead(player), { message: "the live video keeps playing", timeout: 15_000 })
      .toBeGreaterThan(first + 1);
    expect(await player.locator("video").evaluate((video: HTMLVideoElement) => video.error)).toBeNull();
    await player.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "recipient-camera-live");

    // The 2017 Cloud Cam attack: the camera stays connected, its picture stops. The playlist still
    // lists the last segments; only the server's freshness can tell, and the badge says so.
    frozen = freezeDemoCamera();
    const frozenAt = Date.now();
    // (The badge's "!" mark is decoration, hidden from screen readers: the words follow it.)
    await expect(badge).toHaveText(/STALE — last frame at \d\d:\d\d:\d\d$/, { timeout: 15_000 });
    const staleAfterMs = Date.now() - frozenAt;
    await expect(badge).toHaveAttribute("data-freshness", "stale");
    await expect(player).not.toContainText("LIVE");

    // The time shown is the server's last frame, in the viewer's zone.
    const answer = (await (await page.request.get(`/v1/cameras/${cameraId}/freshness`)).json()) as Freshness;
    expect(answer.freshness).toBe("stale");
    if (!answer.lastFrameAt) throw new Error("a camera that streamed has a last frame");
    expect(Date.parse(answer.lastFrameAt)).toBeLessThanOrEqual(frozenAt + 2_000);
    const shown = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, {
          hour: "2-digit",
          minute: "2-digit",
          second: "2-digit",
          hourCycle: "h23",
        }).format(new Date(iso)),
      answer.lastFrameAt,
    );
    await expect(badge).toContainText(`STALE — last frame at ${shown}`);
    test.info().annotations.push({ type: "stale after", description: `${staleAfterMs} ms` });
    // The door's readiness agrees on its next refresh: no live video, so not ready for a delivery.
    const door = page.getByRole("article", { name: "Front door" });
    await expect(door.getByRole("list", { name: "Readiness of Front door" })).toContainText("No live video", {
      timeout: 10_000,
    });
    await expect(door).toContainText("Not ready");
    await player.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "recipient-camera-stale");

    // Thawed (or restarted by the camera agent, which sees a hung encoder): LIVE again by itself.
    frozen.resume();
    await expect(badge).toHaveText("LIVE", { timeout: 45_000 });
    const resumed = await playhead(player);
    await expect
      .poll(() => playhead(player), { message: "the video plays again", timeout: 30_000 })
      .toBeGreaterThan(resumed + 1);
  });
});
