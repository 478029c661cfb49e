/**
 * Just enough YAML to write the AsyncAPI document: block mappings and sequences of JSON values.
 * The protocol package carries no YAML dependency for one generated file; anything that could be
 * misread as another type or as YAML syntax is written as a JSON string, which YAML reads as is.
 */
export function toYaml(value: unknown): string {
  if (!isObject(value)) throw new TypeError("toYaml: the document must be a mapping");
  return `${mapping(value, 0).join("\n")}\n`;
}

function mapping(value: Record<string, unknown>, indent: number): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    lines.push(...entry(`${pad}${scalar(key)}:`, member, indent));
  }
  return lines;
}

function sequence(items: unknown[], indent: number): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  for (const item of items) {
    if (isNonEmptyObject(item)) {
      // "- key: value" then the other members under the first one.
      const [first = "", ...rest] = mapping(item, indent + 2);
      lines.push(`${pad}- ${first.slice(indent + 2)}`, ...rest);
    } else if (Array.isArray(item) && item.length > 0) {
      lines.push(`${pad}-`, ...sequence(item, indent + 2));
    } else {
      lines.push(...entry(`${pad}-`, item, indent));
    }
  }
  return lines;
}

/** `head` is "key:" or "-"; the value goes on the same line when it is a scalar, below it otherwise. */
function entry(head: string, value: unknown, indent: number): string[] {
  if (isNonEmptyObject(value)) return [head, ...mapping(value, indent + 2)];
  if (Array.isArray(value) && value.length > 0) return [head, ...sequence(value, indent + 2)];
  if (typeof value === "string" && isLiteralBlockCandidate(value)) {
    const pad = " ".repeat(indent + 2);
    const body = value.replace(/\n$/, "").split("\n");
    // "|-" drops the final line break, "|" keeps exactly one.
    const chomp = value.endsWith("\n") ? "|" : "|-";
    return [`${head} ${chomp}`, ...body.map((line) => (line === "" ? "" : `${pad}${line}`))];
  }
  return [`${head} ${inline(value)}`];
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return "[]";
  if (isObject(value)) return "{}";
  return scalar(value);
}

/** Plain when unambiguous; otherwise a JSON string, which is a valid YAML double-quoted scalar. */
function scalar(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("toYaml: numbers must be finite");
    return JSON.stringify(value);
  }
  if (typeof value !== "string") throw new TypeError(`toYaml: cannot write a ${typeof value}`);
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

// Words YAML 1.1 or 1.2 parsers read as booleans or null.
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

function isPlainSafe(text: string): boolean {
  // Starts with a letter, "_", "$" or "/", and holds nothing YAML gives a meaning to.
  return /^[A-Za-z_$/][A-Za-z0-9_$./+-]*$/.test(text) && !RESERVED.test(text);
}

/** Multi-line text reads best as a literal block; it keeps every character but needs tidy lines. */
function isLiteralBlockCandidate(text: string): boolean {
  if (!text.includes("\n") || /[\r\t]/.test(text)) return false;
  const body = text.replace(/\n$/, "");
  if (body.endsWith("\n") || body.startsWith(" ") || body.startsWith("\n")) return false;
  return body.split("\n").every((line) => line === line.trimEnd());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyObject(value: unknown): value is Record<string, unknown> {
  return isObject(value) && Object.keys(value).some((key) => value[key] !== undefined);
}
