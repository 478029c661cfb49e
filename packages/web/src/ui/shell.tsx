import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { NAV } from "../audience";
import { useSession } from "../session";

/**
 * Header with the role's navigation and sign-out, and an optional `banner` slot under it (the
 * recipient's live-visit banner). Content below, one column on a phone.
 */
export function Shell({ children, banner }: { children: ReactNode; banner?: ReactNode }) {
  const { me, audience, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Threshold home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Threshold</span>
        </NavLink>
        <nav aria-label="Main">
          {NAV[audience].map((item) => (
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
