/** One sample line of the Prometheus text exposition format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** The value of the one sample with this name whose labels include `labels`; undefined if none, an error if several. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parses the text exposition format (version 0.0.4) strictly enough that a malformed line fails
 * the test: every line is a comment, blank, or a sample with well-formed, escaped label values.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("# TYPE ")) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (!type?.[1] || !type[2]) throw new Error(`bad TYPE line: ${line}`);
      types.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (!match?.[1] || match[3] === undefined) throw new Error(`not a sample line: ${line}`);
    const value = parseValue(match[3], line);
    samples.push({ name: match[1], labels: parseLabels(match[2] ?? "", line), value });
  }
  return {
    samples,
    types,
    value(name, labels = {}) {
      const found = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
      );
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}

/** Values as Prometheus reads them (Go's ParseFloat): "NaN" and "Inf" in any case (prom-client writes "Nan"). */
function parseValue(raw: string, line: string): number {
  const special = raw.toLowerCase();
  if (special === "nan") return Number.NaN;
  if (special === "+inf" || special === "inf") return Number.POSITIVE_INFINITY;
  if (special === "-inf") return Number.NEGATIVE_INFINITY;
  const value = Number(raw);
  if (raw === "" || Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

/** `a="x",b="y\"z"` → { a: "x", b: 'y"z' }; escapes are \\, \" and \n. */
function parseLabels(source: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < source.length) {
    const eq = source.indexOf("=", i);
    const name = source.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || source[eq + 1] !== '"') throw new Error(`bad labels in: ${line}`);
    let value = "";
    let j = eq + 2;
    for (; j < source.length && source[j] !== '"'; j++) {
      if (source[j] === "\\") {
        j++;
        const escaped = source[j];
        if (escaped === "n") value += "\n";
        else if (escaped === "\\" || escaped === '"') value += escaped;
        else throw new Error(`bad escape in: ${line}`);
      } else value += source[j];
    }
    if (source[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (source[i] === ",") i++;
    else if (i < source.length) throw new Error(`bad labels in: ${line}`);
  }
  return labels;
}
