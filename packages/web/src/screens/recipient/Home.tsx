import { useEffect, useId, useState } from "react";
import { useSession } from "../../session";
import { AccessPointCard } from "./AccessPointCard";
import { BlockSwitch } from "./BlockSwitch";
import { CarCard } from "./CarCard";
import { useCars } from "./car-data";
import { READINESS_REFRESH_MS, type Site, useSiteDetail, useSiteDevices, useSites } from "./home-data";
import { RefreshingQuery } from "./RefreshingQuery";

/** The time now, moving on by itself, so "consent on now" and "last seen" stay true on an idle screen. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

function addressOf(site: Site): string {
  const { line1, line2, postalCode, city } = site.address;
  return [line1, line2, `${postalCode} ${city}`].filter(Boolean).join(", ");
}

/** One home: its block switch, then each access point with its readiness. */
function SiteSection({ site, now }: { site: Site; now: number }) {
  const headingId = useId();
  const detail = useSiteDetail(site.id, READINESS_REFRESH_MS);
  const devices = useSiteDevices(site.id, READINESS_REFRESH_MS);
  const cars = useCars(READINESS_REFRESH_MS);
  const carsHere = (cars.data ?? []).filter((car) => car.siteId === site.id);
  return (
    <section className="stack rh-site" aria-labelledby={headingId}>
      <div>
        <h2 id={headingId}>{site.name}</h2>
        <p className="small muted rh-address">{addressOf(site)}</p>
      </div>
      <BlockSwitch site={site} />
      <RefreshingQuery query={detail} loading="Loading doors…">
        {(siteDetail) => (
          <RefreshingQuery query={devices} loading="Loading devices…">
            {(deviceList) =>
              siteDetail.accessPoints.length === 0 && carsHere.length === 0 ? (
                <p className="note">
                  No access points yet: pair a lock and a camera on the Devices page, then add a door.
                </p>
              ) : (
                <div className="grid">
                  {siteDetail.accessPoints
                    .filter((accessPoint) => accessPoint.kind !== "trunk")
                    .map((accessPoint) => (
                      <AccessPointCard
                        key={accessPoint.id}
                        accessPoint={accessPoint}
                        devices={deviceList}
                        blocked={site.accessBlocked}
                        now={now}
                      />
                    ))}
                  {/* A car's trunk has its own card, with the car's position and block switch. */}
                  {carsHere.map((car) => (
                    <CarCard key={car.id} car={car} home={site.location} />
                  ))}
                </div>
              )
            }
          </RefreshingQuery>
        )}
      </RefreshingQuery>
    </section>
  );
}

/**
 * The recipient's start: is every door ready for a delivery, and one switch to stop them all. A
 * building's manager sees the same for their buildings, under that name.
 */
export function Home() {
  const { audience } = useSession();
  const sites = useSites(READINESS_REFRESH_MS);
  const now = useNow(READINESS_REFRESH_MS);
  return (
    <div className="stack rh-home">
      <h1>{audience === "manager" ? "Buildings" : "Home"}</h1>
      <RefreshingQuery query={sites} loading="Loading your homes…">
        {(list) =>
          list.length === 0 ? (
            <p className="note">
              You have no homes in Threshold yet. Once a site is set up for you, its doors show up here.
            </p>
          ) : (
            list.map((site) => <SiteSection key={site.id} site={site} now={now} />)
          )
        }
      </RefreshingQuery>
    </div>
  );
}
