import { useQuery } from "@tanstack/react-query";
import type Hls from "hls.js";
import { useEffect, useRef, useState } from "react";
import { api, unwrap } from "../api";
import { freshnessBadge, retryDelayMs, shouldRestartStalled } from "./camera-freshness";
import "./camera-player.css";

/** The server is asked this often whether the camera is live; the badge never guesses in between. */
const FRESHNESS_POLL_MS = 1_000;

type PlayerStatus = "connecting" | "playing" | "waiting" | "unsupported";

/** GET /v1/cameras/{deviceId}/freshness, every second while the player is on screen. */
export function useCameraFreshness(deviceId: string) {
  return useQuery({
    queryKey: ["camera", deviceId, "freshness"],
    queryFn: async () => unwrap(await api.GET("/v1/cameras/{deviceId}/freshness", { params: { path: { deviceId } } })),
    refetchInterval: FRESHNESS_POLL_MS,
    // The next poll is the retry; a failed one must not hold up the answers after it.
    retry: false,
  });
}

/** The time now, moving on every second: an answer that stops coming must age on screen too. */
function useSecondTicks(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/**
 * A camera's live video (its HLS playlist, through hls.js, or the browser's own HLS where there is
 * no Media Source, as on an iPhone) with a badge that says LIVE only while the server says so.
 * The playlist says nothing about freshness: a frozen camera keeps its last segments listed, so the
 * badge comes from GET /v1/cameras/{id}/freshness, polled every second, and from nothing else.
 *
 * When there is no video (no segments yet, the camera is offline, the network is down) the player
 * says so calmly and tries again by itself; it also starts afresh when the camera is live but its
 * picture has not moved for a while.
 */
export function CameraPlayer({
  deviceId,
  label,
  size = "large",
}: {
  deviceId: string;
  /** The region's accessible name, e.g. "Camera at Front door". */
  label: string;
  size?: "large" | "compact";
}) {
  const freshness = useCameraFreshness(deviceId);
  const now = useSecondTicks();
  const badge = freshnessBadge(freshness.data, freshness.dataUpdatedAt, now);
  const live = badge.state === "live";
  const { status, videoRef } = useLivePlaylist(deviceId, live);

  const classes = ["video-panel", "camera-player", `camera-player-${size}`, `camera-player-${badge.state}`];
  return (
    <section className={classes.join(" ")} aria-label={label} data-testid="camera-player" data-player={status}>
      <video
        ref={videoRef}
        className="camera-player-video"
        muted
        autoPlay
        playsInline
        disablePictureInPicture
        aria-label={`${label}: live picture`}
      />
      <span
        className={`camera-player-badge camera-player-badge-${badge.state}`}
        role="status"
        aria-live="polite"
        data-testid="camera-freshness"
        data-freshness={badge.state}
      >
        {badge.state === "live" ? <span className="camera-player-dot" aria-hidden="true" /> : null}
        {badge.state === "stale" ? (
          <span className="camera-player-mark" aria-hidden="true">
            !
          </span>
        ) : null}
        {badge.text}
      </span>
      <PlayerMessage status={status} />
    </section>
  );
}

function PlayerMessage({ status }: { status: PlayerStatus }) {
  if (status === "playing") return null;
  const words: Record<Exclude<PlayerStatus, "playing">, string> = {
    connecting: "Connecting to the camera…",
    waiting: "No video from the camera right now. Trying again…",
    unsupported: "This browser cannot play live video.",
  };
  return <p className="camera-player-message">{words[status]}</p>;
}

/**
 * Plays `/v1/cameras/{deviceId}/live.m3u8` into a <video>, and keeps trying: a fatal network error
 * (404 before the first segment, server unreachable) re-creates the player after a growing delay,
 * a media error is handed to hls.js's own recovery once, and a player that sits still while the
 * camera is `live` is started afresh. Everything is torn down on unmount.
 */
function useLivePlaylist(deviceId: string, live: boolean) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<PlayerStatus>("connecting");
  /** Bumped to start the player afresh: each value is one hls.js instance (or one native attempt). */
  const [generation, setGeneration] = useState(0);
  const attempts = useRef(0);
  const lastProgressAt = useRef(Date.now());
  /** When the server last started saying live: a player gets its grace period from then. */
  const liveSince = useRef(0);

  useEffect(() => {
    if (live) liveSince.current = Date.now();
  }, [live]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is how a restart is asked for.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const url = `${window.location.origin}/v1/cameras/${encodeURIComponent(deviceId)}/live.m3u8`;
    let disposed = false;
    let hls: Hls | undefined;
    let retryTimer: number | undefined;
    lastProgressAt.current = Date.now();

    const retryLater = () => {
      if (disposed || retryTimer !== undefined) return;
      setStatus("waiting");
      retryTimer = window.setTimeout(() => setGeneration((g) => g + 1), retryDelayMs(attempts.current));
      attempts.current += 1;
    };
    const play = () => void video.play().catch(() => undefined); // muted autoplay; a refusal is not an error
    const onPlaying = () => {
      attempts.current = 0;
      setStatus("playing");
    };
    let lastTime = video.currentTime;
    const onTimeUpdate = () => {
      if (video.currentTime !== lastTime) lastProgressAt.current = Date.now();
      lastTime = video.currentTime;
    };
    const onNativeError = () => retryLater();
    video.addEventListener("playing", onPlaying);
    video.addEventListener("timeupdate", onTimeUpdate);

    void (async () => {
      // Loaded on first use: only screens that show video pay for the player.
      const { default: HlsPlayer } = await import("hls.js");
      if (disposed) return;
      if (HlsPlayer.isSupported()) {
        const player = new HlsPlayer({
          // Same origin: the session cookie goes with every playlist and segment request, and
          // nowhere else.
          xhrSetup: (xhr) => {
            xhr.withCredentials = false;
          },
          fetchSetup: (context, init) => new Request(context.url, { ...init, credentials: "same-origin" }),
          // Two segments behind the newest (about 4 s): close to live, with one segment of
          // slack for an upload that arrives late. Further behind than four (after an outage),
          // jump to the live edge rather than play old video slowly catching up. hls.js refuses
          // the second without the first.
          liveSyncDurationCount: 2,
          liveMaxLatencyDurationCount: 4,
        });
        hls = player;
        let mediaRecovered = false;
        player.on(HlsPlayer.Events.MANIFEST_PARSED, play);
        player.on(HlsPlayer.Events.ERROR, (_event, data) => {
          if (!data.fatal) return; // hls.js retries those itself
          if (data.type === HlsPlayer.ErrorTypes.MEDIA_ERROR && !mediaRecovered) {
            mediaRecovered = true;
            player.recoverMediaError();
            return;
          }
          player.destroy();
          if (hls === player) hls = undefined;
          retryLater();
        });
        player.loadSource(url);
        player.attachMedia(video);
      } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.addEventListener("error", onNativeError);
        video.src = url;
        play();
      } else {
        setStatus("unsupported");
      }
    })().catch(() => retryLater()); // the player's chunk did not load: offline, most likely

    return () => {
      disposed = true;
      window.clearTimeout(retryTimer);
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("timeupdate", onTimeUpdate);
      video.removeEventListener("error", onNativeError);
      hls?.destroy();
      if (video.getAttribute("src")) {
        video.removeAttribute("src");
        video.load();
      }
    };
  }, [deviceId, generation]);

  // A picture that stands still while the server says the camera is live is a stuck player.
  useEffect(() => {
    if (status !== "playing" && status !== "connecting") return;
    const timer = window.setInterval(() => {
      const now = Date.now();
      if (shouldRestartStalled({ live, lastProgressAt: lastProgressAt.current, liveSince: liveSince.current, now })) {
        lastProgressAt.current = now;
        setStatus("connecting");
        setGeneration((g) => g + 1);
      }
    }, 1_000);
    return () => window.clearInterval(timer);
  }, [live, status]);

  return { status, videoRef };
}
