import type { Config } from "../config.js";
import { DirectoryMediaStore } from "./directory-media-store.js";

export { DirectoryMediaStore } from "./directory-media-store.js";
export { assertMediaKey, type MediaObject, type MediaStore, type PutOptions } from "./media-store.js";
export { MediaDigestMismatch } from "./media-writers.js";

/** The media store the configuration names: today always the directory MEDIA_DIR (default DATA_DIR/media). */
export function openMediaStore(config: Pick<Config, "media">): DirectoryMediaStore {
  return new DirectoryMediaStore(config.media.dir);
}
