import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, type paths, unwrap } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState, Spinner } from "../../ui/feedback";
import { formatDateTime, formatWindow } from "../../ui/format";
import { LIVE_KEYS } from "./live-data";

type Shipment = paths["/v1/shipments"]["get"]["responses"]["200"]["content"]["application/json"]["shipments"][number];

const PAGE = "50";

const METHOD_WORDS: Record<Shipment["method"], string> = {
  in_home: "In-home",
  in_garage: "In the garage",
  in_fridge: "In the fridge",
  in_trunk: "In the car's trunk",
  locker: "Locker",
  doorstep: "Doorstep",
};

const STATUS: Record<Shipment["status"], { words: string; tone: "ok" | "warn" | "bad" | "" }> = {
  created: { words: "Not yet with a courier", tone: "" },
  assigned: { words: "On its way", tone: "warn" },
  delivered: { words: "Delivered", tone: "ok" },
  collected: { words: "Return collected from your car", tone: "ok" },
  cancelled: { words: "Cancelled", tone: "bad" },
  in_locker: { words: "Waiting in the locker", tone: "warn" },
  for_return: { words: "Not collected: going back", tone: "bad" },
  returned: { words: "Returned to sender", tone: "bad" },
};

const isOpen = (s: Shipment) => s.status === "created" || s.status === "assigned";

/** Shipments whose window has not ended, soonest first. Delivered ones among them belong to Past. */
function useUpcoming() {
  return useQuery({
    queryKey: [...LIVE_KEYS.shipments, "upcoming"],
    queryFn: async () =>
      unwrap(await api.GET("/v1/shipments", { params: { query: { when: "upcoming", limit: "200" } } })).shipments,
  });
}

/** Shipments whose window has ended, latest first, a page at a time. */
function usePast() {
  return useInfiniteQuery({
    queryKey: [...LIVE_KEYS.shipments, "past"],
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/v1/shipments", {
          params: { query: { when: "past", limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

/** The recipient's deliveries: what is coming and when, and what came, each with its proof. */
export function Deliveries() {
  const upcoming = useUpcoming();
  const past = usePast();
  return (
    <div className="stack">
      <h1>Deliveries</h1>
      <section className="stack" aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">Upcoming</h2>
        <QueryState query={upcoming} loading="Loading upcoming deliveries…">
          {(shipments) => {
            const coming = shipments.filter(isOpen).reverse();
            return coming.length === 0 ? (
              <p className="muted">Nothing on its way right now.</p>
            ) : (
              <ShipmentList shipments={coming} label="Upcoming deliveries" />
            );
          }}
        </QueryState>
      </section>
      <section className="stack" aria-labelledby="past-title">
        <h2 id="past-title">Past</h2>
        <PastDeliveries upcoming={upcoming.data} past={past} />
      </section>
    </div>
  );
}

function PastDeliveries({ upcoming, past }: { upcoming: Shipment[] | undefined; past: ReturnType<typeof usePast> }) {
  if (!past.data) return past.isError ? <ErrorNote error={past.error} /> : <Spinner label="Loading past deliveries…" />;
  // Delivered early in a window that is still open: done, so listed here, most recent first.
  const doneEarly = (upcoming ?? [])
    .filter((s) => !isOpen(s))
    .sort((a, b) => (b.deliveredAt ?? b.updatedAt).localeCompare(a.deliveredAt ?? a.updatedAt));
  const shipments = [...doneEarly, ...past.data.pages.flatMap((page) => page.shipments)];
  return (
    <>
      {shipments.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <ShipmentList shipments={shipments} label="Past deliveries" />
      )}
      {past.hasNextPage ? (
        <Button
          variant="secondary"
          pending={past.isFetchingNextPage}
          pendingLabel="Loading more…"
          onClick={() => void past.fetchNextPage()}
        >
          Show older deliveries
        </Button>
      ) : null}
      {past.isFetchNextPageError ? <ErrorNote error={past.error} title="Could not load more." /> : null}
    </>
  );
}

function ShipmentList({ shipments, label }: { shipments: Shipment[]; label: string }) {
  return (
    <ul className="list" aria-label={label}>
      {shipments.map((shipment) => (
        <li key={shipment.id} className="card stack delivery-card">
          <ShipmentSummary shipment={shipment} />
        </li>
      ))}
    </ul>
  );
}

function ShipmentSummary({ shipment }: { shipment: Shipment }) {
  const status = STATUS[shipment.status];
  return (
    <>
      <div className="spread">
        <strong className="delivery-tracking">{shipment.trackingNumber}</strong>
        <span className={`pill ${status.tone ? `pill-${status.tone}` : ""}`}>{status.words}</span>
      </div>
      <dl className="delivery-facts">
        <div>
          <dt>Window</dt>
          <dd>{formatWindow(shipment.window, shipment.timeZone)}</dd>
        </div>
        <div>
          <dt>Method</dt>
          <dd>{METHOD_WORDS[shipment.method]}</dd>
        </div>
        <div>
          <dt>Carrier</dt>
          <dd>{shipment.carrierName ?? "—"}</dd>
        </div>
        {shipment.deliveredAt ? (
          <div>
            <dt>Delivered</dt>
            <dd>{formatDateTime(shipment.deliveredAt)}</dd>
          </div>
        ) : null}
      </dl>
      {shipment.status === "delivered" && shipment.deliveredVisitId ? (
        <Link to={`/deliveries/${shipment.id}`} className="button button-secondary">
          Proof of delivery
        </Link>
      ) : null}
    </>
  );
}
