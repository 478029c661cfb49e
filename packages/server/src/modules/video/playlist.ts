/** One segment as a media playlist lists it. */
export interface PlaylistSegment {
  id: string;
  /** Position in the camera's whole chain: consecutive, so it is the HLS media sequence number. */
  position: number;
  /** Which of the camera's streams it belongs to; a change is an HLS discontinuity. */
  streamNumber: number;
  startedAt: number;
  durationMs: number;
}

/**
 * An HLS (RFC 8216, version 3) sliding-window media playlist of `segments`, oldest first. No
 * ENDLIST: players reload it for new segments. Each segment carries its capture time as
 * PROGRAM-DATE-TIME, and a new stream of the camera (its encoder restarted, timestamps reset) is
 * marked as a discontinuity, numbered by the camera's stream count so the number only grows as
 * the window slides.
 */
export function liveMediaPlaylist(segments: readonly PlaylistSegment[], uriOf: (segment: PlaylistSegment) => string) {
  const first = segments[0];
  return mediaPlaylist(
    [
      `#EXT-X-MEDIA-SEQUENCE:${first ? first.position : 0}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${first ? first.streamNumber : 0}`,
    ],
    segments,
    uriOf,
    [],
  );
}

/**
 * A visit clip's playlist: an EVENT playlist (segments are only ever added) while the clip still
 * records, a VOD playlist with ENDLIST once it is finished. Numbered from 0: a clip is a recording
 * of its own, not a window on the camera.
 */
export function clipMediaPlaylist(
  segments: readonly PlaylistSegment[],
  uriOf: (segment: PlaylistSegment) => string,
  finished: boolean,
) {
  return mediaPlaylist(
    [`#EXT-X-PLAYLIST-TYPE:${finished ? "VOD" : "EVENT"}`, "#EXT-X-MEDIA-SEQUENCE:0"],
    segments,
    uriOf,
    finished ? ["#EXT-X-ENDLIST"] : [],
  );
}

function mediaPlaylist(
  header: string[],
  segments: readonly PlaylistSegment[],
  uriOf: (segment: PlaylistSegment) => string,
  trailer: string[],
) {
  const longestMs = Math.max(2000, ...segments.map((s) => s.durationMs));
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${Math.ceil(longestMs / 1000)}`, ...header];
  let previous: PlaylistSegment | undefined;
  for (const segment of segments) {
    if (previous && segment.streamNumber !== previous.streamNumber) lines.push("#EXT-X-DISCONTINUITY");
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.startedAt).toISOString()}`,
      `#EXTINF:${(segment.durationMs / 1000).toFixed(3)},`,
      uriOf(segment),
    );
    previous = segment;
  }
  lines.push(...trailer);
  return `${lines.join("\n")}\n`;
}
