import { useId } from "react";
import { useSession } from "../../session";
import { QueryState } from "../../ui/feedback";
import { AddCarForm } from "./AddCarForm";
import { DeviceCard } from "./DeviceCard";
import { DEVICES_REFRESH_MS, type Site, useSiteDevices, useSites } from "./home-data";
import { PairDeviceForm } from "./PairDeviceForm";
import { RefreshingQuery } from "./RefreshingQuery";

function SiteDevices({ site }: { site: Site }) {
  const { audience } = useSession();
  const headingId = useId();
  const devices = useSiteDevices(site.id, DEVICES_REFRESH_MS);
  return (
    <section className="stack rh-site" aria-labelledby={headingId}>
      <h2 id={headingId}>{site.name}</h2>
      <RefreshingQuery query={devices} loading="Loading devices…">
        {(list) =>
          list.length === 0 ? (
            <p className="note">No devices paired here yet. Pair one with the code it shows.</p>
          ) : (
            <ul className="list" aria-label={`Devices at ${site.name}`}>
              {list.map((device) => (
                <DeviceCard key={device.id} device={device} />
              ))}
            </ul>
          )
        }
      </RefreshingQuery>
      <PairDeviceForm site={site} />
      {/* A car is a household's; a building's manager pairs the building's devices only. */}
      {audience === "manager" ? null : <AddCarForm site={site} devices={devices.data ?? []} />}
    </section>
  );
}

/** `/devices`: every lock and camera of the recipient's homes, pairing, renaming and removing them. */
export function Devices() {
  const sites = useSites();
  return (
    <div className="stack rh-devices">
      <h1>Devices</h1>
      <QueryState query={sites} loading="Loading your homes…">
        {(list) =>
          list.length === 0 ? (
            <p className="note">You have no homes in Threshold yet, so there is nowhere to pair a device.</p>
          ) : (
            list.map((site) => <SiteDevices key={site.id} site={site} />)
          )
        }
      </QueryState>
    </div>
  );
}
