import { useState } from "react";
import { useLockerBanks } from "../../lockers";
import { QueryState } from "../../ui/feedback";
import { CourierMode } from "./Kiosk";

/** The courier's locker drop-off in the app: pick the bank you stand at, scan, the compartment opens. */
export function CourierLockers() {
  const banks = useLockerBanks();
  const [bankId, setBankId] = useState("");
  return (
    <div className="stack">
      <h1>Locker drop-off</h1>
      <QueryState query={banks} loading="Loading locker banks…">
        {(list) => (
          <label className="stack">
            Which locker are you at?
            <select value={bankId} onChange={(e) => setBankId(e.target.value)}>
              <option value="">Choose…</option>
              {list.map((bank) => (
                <option key={bank.id} value={bank.id}>
                  {bank.name} ({bank.freeCompartments} free)
                </option>
              ))}
            </select>
          </label>
        )}
      </QueryState>
      {bankId ? <CourierMode key={bankId} bankId={bankId} /> : null}
    </div>
  );
}
