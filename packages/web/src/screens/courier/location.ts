/** Where the courier stands, for the geofence rule. A failure is a sentence saying what to do. */

export interface CourierLocation {
  lat: number;
  lng: number;
  accuracyM?: number;
}

export class LocationError extends Error {}

/** Short: the courier is at a door, waiting. A fix from the last 30 s is good enough. */
const TIMEOUT_MS = 8_000;

export function currentLocation(): Promise<CourierLocation> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(
        new LocationError(
          "This browser cannot tell where you are, and the door only opens when Threshold knows you are at the address. Use a phone with location, or call dispatch.",
        ),
      );
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) =>
        resolve({
          lat: position.coords.latitude,
          lng: position.coords.longitude,
          accuracyM: Math.min(Math.round(position.coords.accuracy), 10_000),
        }),
      (error) => reject(new LocationError(locationProblem(error.code))),
      { enableHighAccuracy: true, timeout: TIMEOUT_MS, maximumAge: 30_000 },
    );
  });
}

function locationProblem(code: number): string {
  if (code === GeolocationPositionError.PERMISSION_DENIED)
    return "Location is off for Threshold. The door only opens when Threshold knows you are at the address: allow location for this site, then try again.";
  if (code === GeolocationPositionError.TIMEOUT)
    return "Your phone could not find where you are in time. Step into the open or wait a moment, then try again.";
  return "Your phone cannot find where you are right now. Turn on location (GPS), then try again.";
}
