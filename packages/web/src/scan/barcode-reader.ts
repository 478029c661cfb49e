/**
 * Reads parcel labels from camera frames: the browser's own BarcodeDetector when it has one that
 * knows our formats, else the zxing-wasm ponyfill. The wasm is served by the app itself (Vite copies
 * it into the build), never fetched from a CDN: the phone talks to our server only.
 */
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";

/** Labels carriers print: Code 128 on most parcels, QR and Data Matrix on newer ones. */
export const LABEL_FORMATS = ["code_128", "qr_code", "data_matrix"] as const;
type LabelFormat = (typeof LABEL_FORMATS)[number];

export type FrameSource = HTMLVideoElement | HTMLCanvasElement | ImageBitmap;

/** What the rest of the app needs of a detector: the text of the first label in a frame, if any. */
export interface BarcodeReader {
  /** "native" or "zxing": shown nowhere, but useful when a courier reports a problem. */
  readonly engine: "native" | "zxing";
  read(frame: FrameSource): Promise<string | null>;
}

/** The Shape Detection API, which TypeScript's DOM library does not describe yet. */
interface DetectorLike {
  detect(frame: FrameSource): Promise<{ rawValue: string }[]>;
}
interface NativeDetectorClass {
  new (options: { formats: LabelFormat[] }): DetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

function firstValue(found: { rawValue: string }[]): string | null {
  const value = found.find((code) => code.rawValue.trim() !== "")?.rawValue.trim();
  return value ?? null;
}

async function nativeDetector(): Promise<DetectorLike | null> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!Native) return null;
  try {
    const supported = await Native.getSupportedFormats();
    if (!LABEL_FORMATS.every((format) => supported.includes(format))) return null;
    return new Native({ formats: [...LABEL_FORMATS] });
  } catch {
    return null;
  }
}

async function zxingDetector(): Promise<DetectorLike> {
  // Loaded on first use: couriers who type the number never download the reader.
  const { BarcodeDetector, prepareZXingModule } = await import("barcode-detector/ponyfill");
  // fireImmediately: compile now, so a missing or blocked wasm fails here, where it can be reported.
  await prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
    },
    fireImmediately: true,
  });
  return new BarcodeDetector({ formats: [...LABEL_FORMATS] });
}

let shared: Promise<BarcodeReader> | null = null;

/** One reader per page load: the wasm module is compiled once and reused for every scan. */
export function getBarcodeReader(): Promise<BarcodeReader> {
  shared ??= (async (): Promise<BarcodeReader> => {
    const native = await nativeDetector();
    const detector = native ?? (await zxingDetector());
    return { engine: native ? "native" : "zxing", read: async (frame) => firstValue(await detector.detect(frame)) };
  })().catch((error: unknown) => {
    shared = null; // a failed load (offline) may succeed on the next try
    throw error;
  });
  return shared;
}
