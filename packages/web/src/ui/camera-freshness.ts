/**
 * What a camera player says about its video, decided from the server's freshness answer alone
 * (GET /v1/cameras/{id}/freshness). Never from the player: a frozen camera's last segments stay in
 * the playlist, so a player can happily loop or hold a picture that is minutes old (docs/video.md).
 * Pure, so it is tested without a browser.
 */

export type Freshness = "live" | "stale";

/** The server's answer, as GET /v1/cameras/{deviceId}/freshness sends it. */
export interface FreshnessAnswer {
  freshness: Freshness;
  lastSegmentAt: string | null;
  lastFrameAt: string | null;
}

/**
 * How old the newest answer may be and still say LIVE. Answers come every second; after three
 * seconds without one (network down, server gone) "live" is no longer something we know.
 */
export const MAX_ANSWER_AGE_MS = 3_000;

/** `checking` only until the first answer: neither LIVE nor a claim that the video is old. */
export interface FreshnessBadge {
  state: Freshness | "checking";
  text: string;
}

/** hh:mm:ss, 24-hour, in the viewer's zone (or `timeZone`, for tests). */
export function formatFrameTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone,
  }).format(new Date(iso));
}

/**
 * LIVE only while the server's latest answer says live and that answer is recent; otherwise
 * STALE with the time of the last frame the server has.
 *
 * @param answeredAt when `answer` arrived (client clock, like `now`)
 */
export function freshnessBadge(
  answer: FreshnessAnswer | undefined,
  answeredAt: number,
  now: number,
  formatTime: (iso: string) => string = formatFrameTime,
): FreshnessBadge {
  if (!answer) return { state: "checking", text: "Checking the video…" };
  if (answer.freshness === "live" && now - answeredAt <= MAX_ANSWER_AGE_MS) return { state: "live", text: "LIVE" };
  if (!answer.lastFrameAt) return { state: "stale", text: "STALE — no video yet" };
  return { state: "stale", text: `STALE — last frame at ${formatTime(answer.lastFrameAt)}` };
}

/** Waiting before the player tries the playlist again: 2 s, 4 s, then every 8 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, attempt), 8_000);
}

/**
 * A player whose picture has not moved for this long while the server says the camera is live is
 * stuck (say, behind a sliding window that moved on after an outage): it is started afresh.
 */
export const STALL_RESTART_MS = 8_000;

/**
 * Whether to restart a stuck player. The clock starts at the later of its last progress and the
 * moment the camera became live again, so a player that sat still during an outage gets the same
 * grace as a new one to pick the video up by itself.
 */
export function shouldRestartStalled(input: {
  live: boolean;
  lastProgressAt: number;
  liveSince: number;
  now: number;
}): boolean {
  return input.live && input.now - Math.max(input.lastProgressAt, input.liveSince) > STALL_RESTART_MS;
}
