import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import type { Role } from "../api";
import { useSession } from "../session";

/** The navigation of each role: few destinations, reachable with a thumb. */
const NAV: Record<Role, { to: string; label: string }[]> = {
  recipient: [
    { to: "/home", label: "Home" },
    { to: "/deliveries", label: "Deliveries" },
    { to: "/keys", label: "Keys" },
    { to: "/devices", label: "Devices" },
    { to: "/lockers", label: "Lockers" },
    { to: "/incidents", label: "Incidents" },
  ],
  manager: [
    { to: "/home", label: "Home" },
    { to: "/lockers", label: "Lockers" },
  ],
  courier: [
    { to: "/stops", label: "Stops" },
    { to: "/lockers", label: "Lockers" },
  ],
  carrier_admin: [
    { to: "/shipments", label: "Shipments" },
    { to: "/webhooks", label: "Webhooks" },
  ],
  operator: [
    { to: "/fleet", label: "Fleet" },
    { to: "/incidents", label: "Incidents" },
    { to: "/audit", label: "Audit" },
  ],
};

/**
 * Header with the role's navigation and sign-out, and an optional `banner` slot under it (the
 * recipient's live-visit banner). Content below, one column on a phone.
 */
export function Shell({ children, banner }: { children: ReactNode; banner?: ReactNode }) {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Threshold home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Threshold</span>
        </NavLink>
        <nav aria-label="Main">
          {NAV[me.role].map((item) => (
            <NavLink key={item.to} to={item.to} className="nav-link">
              {item.label}
            </NavLink>
          ))}
        </nav>
        <button
          type="button"
          className="link-button signout"
          onClick={async () => {
            await signOut();
            navigate("/signin");
          }}
          title={me.email}
        >
          Sign out
        </button>
      </header>
      {banner}
      <main className="content">{children}</main>
    </div>
  );
}
