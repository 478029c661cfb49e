/** Rule 2: no command may live longer than this. */
export const MAX_COMMAND_TTL_MS = 30_000;
/** A command issued further in the future than this (device clock behind) is refused. */
export const MAX_CLOCK_AHEAD_MS = 5_000;
/** Largest protocol message accepted on any topic; anything larger is garbage by definition. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** How many command ids a device remembers to refuse replays; commands expire within 30 s, so this bounds ~330 commands/s. */
export const REPLAY_CACHE_SIZE = 10_000;
