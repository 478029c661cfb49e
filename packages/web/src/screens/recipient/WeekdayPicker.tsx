import { WEEKDAYS } from "./words";

/** Seven day toggles, Monday first: the checkbox is the control, the chip is its face. */
export function WeekdayPicker({ days, onChange }: { days: readonly number[]; onChange(days: number[]): void }) {
  return (
    <div className="rh-days">
      {WEEKDAYS.map((weekday) => (
        <label key={weekday.day} className="rh-day">
          <input
            type="checkbox"
            aria-label={weekday.long}
            checked={days.includes(weekday.day)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? [...days.filter((d) => d !== weekday.day), weekday.day]
                  : days.filter((d) => d !== weekday.day),
              )
            }
          />
          <span aria-hidden="true">{weekday.short}</span>
        </label>
      ))}
    </div>
  );
}
