import { useEffect, useRef, useState } from "react";
import "./clip-player.css";

/** A moment to jump to, in seconds from the start of the video. */
export interface ClipChapter {
  label: string;
  seconds: number;
  /** How the time reads, e.g. "0:12". */
  time: string;
}

const HLS_MIME = "application/vnd.apple.mpegurl";

/**
 * A recorded clip from an HLS playlist: hls.js where the browser has Media Source Extensions, the
 * browser's own HLS otherwise (iPhone Safari). Muted, inline, with the browser's controls and
 * buttons that jump to the chapters. A playlist that still grows (EVENT) keeps loading as it grows
 * and plays from the start, not from its newest segment. The video element has data-testid
 * `clip-player`.
 */
export function ClipPlayer({
  playlistUrl,
  label,
  chapters = [],
}: {
  playlistUrl: string;
  /** The video's accessible name. */
  label: string;
  chapters?: ClipChapter[];
}) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    setFailure(null);
    let cancelled = false;
    let destroy: (() => void) | undefined;
    const start = async () => {
      // Loaded when a clip is shown, so the rest of the app does not carry the player.
      const { default: Hls } = await import("hls.js");
      if (cancelled) return;
      if (Hls.isSupported()) {
        const hls = new Hls({ startPosition: 0 });
        let recovered = false;
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          // A decoding hiccup is worth one retry; anything else is said, with the way out.
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
            recovered = true;
            hls.recoverMediaError();
            return;
          }
          hls.destroy();
          setFailure(
            data.type === Hls.ErrorTypes.NETWORK_ERROR
              ? "The video could not be loaded. Check your connection and reload, or download the MP4."
              : "This video could not be played here. Download the MP4 to watch it.",
          );
        });
        hls.loadSource(playlistUrl);
        hls.attachMedia(video);
        destroy = () => hls.destroy();
      } else if (video.canPlayType(HLS_MIME)) {
        video.src = playlistUrl;
        destroy = () => {
          video.removeAttribute("src");
          video.load();
        };
      } else {
        setFailure("This browser cannot play the video. Download the MP4 to watch it.");
      }
    };
    start().catch(() => {
      if (!cancelled) setFailure("The video player could not be loaded. Reload the page, or download the MP4.");
    });
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [playlistUrl]);

  const jumpTo = (seconds: number) => {
    const video = videoRef.current;
    if (!video) return;
    video.currentTime = seconds;
    // Muted, so no browser refuses to play; a refusal still leaves the video at the moment.
    video.play().catch(() => undefined);
  };

  return (
    <div className="clip-player stack">
      <video
        ref={videoRef}
        className="clip-video"
        data-testid="clip-player"
        aria-label={label}
        controls
        playsInline
        muted
        preload="metadata"
      />
      {failure ? (
        <p className="note note-warn" role="alert">
          {failure}
        </p>
      ) : null}
      {chapters.length > 0 ? (
        <ul className="clip-chapters" aria-label="Jump to">
          {chapters.map((chapter) => (
            <li key={chapter.label}>
              <button
                type="button"
                className="button button-secondary clip-chapter"
                onClick={() => jumpTo(chapter.seconds)}
                aria-label={`Play from ${chapter.label.toLowerCase()}, ${chapter.time} into the video`}
              >
                <span aria-hidden="true">▶</span> {chapter.label}{" "}
                <span className="clip-chapter-time">{chapter.time}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
