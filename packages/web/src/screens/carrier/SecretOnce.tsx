import { useEffect, useId, useRef, useState } from "react";
import { Button } from "../../ui/button";

/**
 * The new endpoint's signing secret, shown once, right after registering, with a button to copy it.
 * The screen never shows it again (the API can, to the carrier only): a secret on screen is a
 * secret in screenshots and over shoulders.
 */
export function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone(): void }) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "select" | null>(null);
  // The card replaces the form that had focus: move focus to it so the next thing read is the secret.
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      // No clipboard (plain http on a LAN, or refused): select it for the person to copy.
      field.current?.select();
      setCopied("select");
    }
  };

  return (
    <section className="card stack cr-secret" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        Endpoint registered
      </h2>
      <p className="cr-flush">
        Requests to <strong className="cr-url">{url}</strong> are signed with this secret. Copy it into your receiver
        now: this screen shows it only this once.
      </p>
      <label htmlFor={`${id}-secret`}>Signing secret</label>
      <div className="cr-assign-row">
        <input
          id={`${id}-secret`}
          ref={field}
          className="cr-secret-value"
          readOnly
          value={secret}
          spellCheck={false}
          onFocus={(e) => e.target.select()}
        />
        <Button variant="secondary" onClick={() => void copy()}>
          Copy
        </Button>
      </div>
      <p className="small cr-flush" role="status">
        {copied === "yes" ? "Copied." : copied === "select" ? "Selected: press Ctrl+C (⌘C) to copy." : ""}
      </p>
      <Button variant="ghost" onClick={onDone}>
        Done, I have copied it
      </Button>
    </section>
  );
}
