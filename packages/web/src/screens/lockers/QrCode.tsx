import bwipjs from "bwip-js/browser";
import { useMemo } from "react";

/** A QR code drawn in the browser (no network): the kiosk camera reads it like typing the code. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const svg = useMemo(() => {
    try {
      return bwipjs.toSVG({ bcid: "qrcode", text, scale: 4, paddingwidth: 2, paddingheight: 2 });
    } catch {
      return null;
    }
  }, [text]);
  if (!svg) return null;
  return (
    // biome-ignore lint/security/noDangerouslySetInnerHtml: the SVG is generated locally by bwip-js from our own text.
    <div className="lk-qr" role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: svg }} />
  );
}
