import type { Check, Tone } from "./readiness";

/** A mark that says the tone without colour, for people who cannot tell green from red. */
const MARK: Record<Tone, string> = { ok: "✓", warn: "!", bad: "✕" };

/** Each readiness check as a pill in words, with its detail under it when it has one. */
export function ReadinessPills({ checks, label }: { checks: readonly Check[]; label: string }) {
  return (
    <ul className="rh-pills" aria-label={label}>
      {checks.map((check) => (
        <li key={check.id} className="rh-pill-item" data-check={check.id} data-tone={check.tone}>
          <span className={`pill pill-${check.tone}`}>
            <span aria-hidden="true">{MARK[check.tone]}</span>
            <span>{check.words}</span>
          </span>
          {check.detail ? <span className="small muted rh-pill-detail">{check.detail}</span> : null}
        </li>
      ))}
    </ul>
  );
}
