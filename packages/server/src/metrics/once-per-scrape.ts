/**
 * Runs `read` once for all the gauges of one scrape: the registry collects every metric at once,
 * so gauges that share a query await the same answer instead of each running it.
 */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}
