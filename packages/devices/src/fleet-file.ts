import { readFile } from "node:fs/promises";
import { AGENT_KINDS, type AgentKind } from "./identity.js";

/** One simulated device of a fleet. */
export interface FleetDevice {
  /** Unique within the fleet; also names its identity file, so it is limited to file-safe characters. */
  name: string;
  kind: AgentKind;
  /** Locks only: seconds before relocking after an unlock. */
  autoRelockS?: number;
  /** Locks only: makes it a fridge or cooler lock reporting this inside temperature (°C) at start. */
  temperatureC?: number;
  /** Garage openers only: seconds the door takes to open or close. */
  travelS?: number;
  /** Garage openers only: seconds before an open door closes by itself; 0 = never. */
  autoCloseS?: number;
  /** Locker controllers only: how many compartments the bank has (1–128). Default 12. */
  compartments?: number;
  /** Vehicles only: where the simulated car is parked at start. */
  position?: { lat: number; lng: number };
  heartbeatMs?: number;
}

export interface FleetFile {
  devices: FleetDevice[];
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DEVICE_KEYS = new Set([
  "name",
  "kind",
  "autoRelockS",
  "temperatureC",
  "travelS",
  "autoCloseS",
  "compartments",
  "position",
  "heartbeatMs",
]);

/** Reads and validates a fleet file; a bad file is an error listing everything wrong with it. */
export async function loadFleetFile(path: string): Promise<FleetFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? "is not valid JSON" : `cannot be read (${String(error)})`;
    throw new Error(`fleet file ${path} ${reason}`);
  }
  return parseFleet(value, `fleet file ${path}`);
}

/** Validates a fleet description already parsed from JSON. */
export function parseFleet(value: unknown, source = "fleet"): FleetFile {
  const problems = fleetProblems(value);
  if (problems.length > 0) throw new Error(`${source} is invalid:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  return value as FleetFile;
}

function fleetProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['it must be an object like { "devices": [...] }'];
  const problems = Object.keys(value)
    .filter((key) => key !== "devices")
    .map((key) => `"${key}" is not a fleet setting (only "devices" is)`);
  const devices = value.devices;
  if (!Array.isArray(devices) || devices.length === 0) {
    return [...problems, '"devices" must be a non-empty list'];
  }
  const seen = new Set<string>();
  devices.forEach((device: unknown, index) => {
    const where = `devices[${index}]`;
    if (!isRecord(device)) {
      problems.push(`${where} must be an object`);
      return;
    }
    for (const key of Object.keys(device)) {
      if (!DEVICE_KEYS.has(key)) problems.push(`${where}.${key} is not a device setting`);
    }
    if (typeof device.name !== "string" || !NAME_PATTERN.test(device.name)) {
      problems.push(`${where}.name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    } else if (seen.has(device.name)) {
      problems.push(`${where}.name "${device.name}" is used twice`);
    } else {
      seen.add(device.name);
    }
    if (!AGENT_KINDS.includes(device.kind as AgentKind)) {
      problems.push(`${where}.kind must be "lock", "camera", "garage_opener", "locker_controller" or "vehicle"`);
    }
    if (device.autoRelockS !== undefined) {
      if (device.kind !== "lock") problems.push(`${where}.autoRelockS applies to locks only`);
      else if (!isWholeNumberIn(device.autoRelockS, 0, 3600)) {
        problems.push(`${where}.autoRelockS must be a whole number of seconds from 0 to 3600`);
      }
    }
    problems.push(...garageAndFridgeProblems(device, where));
    if (device.position !== undefined) {
      if (device.kind !== "vehicle") problems.push(`${where}.position applies to vehicles only`);
      else if (!isPosition(device.position)) {
        problems.push(`${where}.position must be {"lat": -90..90, "lng": -180..180}`);
      }
    }
    if (device.heartbeatMs !== undefined && !isWholeNumberIn(device.heartbeatMs, 100, 3_600_000)) {
      problems.push(`${where}.heartbeatMs must be a whole number of milliseconds from 100 to 3600000`);
    }
  });
  return problems;
}

/** The settings of fridge locks and garage openers, each only on its own kind. */
function garageAndFridgeProblems(device: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  const { temperatureC, travelS, autoCloseS, compartments } = device;
  if (compartments !== undefined) {
    if (device.kind !== "locker_controller") problems.push(`${where}.compartments applies to locker controllers only`);
    else if (!isWholeNumberIn(compartments, 1, 128))
      problems.push(`${where}.compartments must be a whole number from 1 to 128`);
  }
  if (temperatureC !== undefined) {
    if (device.kind !== "lock") problems.push(`${where}.temperatureC applies to locks only`);
    else if (typeof temperatureC !== "number" || !(temperatureC >= -50 && temperatureC <= 100)) {
      problems.push(`${where}.temperatureC must be a number of degrees Celsius from -50 to 100`);
    }
  }
  if (travelS !== undefined) {
    if (device.kind !== "garage_opener") problems.push(`${where}.travelS applies to garage openers only`);
    else if (!isWholeNumberIn(travelS, 1, 60)) problems.push(`${where}.travelS must be a whole number from 1 to 60`);
  }
  if (autoCloseS !== undefined) {
    if (device.kind !== "garage_opener") problems.push(`${where}.autoCloseS applies to garage openers only`);
    else if (!isWholeNumberIn(autoCloseS, 0, 3600)) {
      problems.push(`${where}.autoCloseS must be a whole number of seconds from 0 to 3600`);
    }
  }
  return problems;
}

function isPosition(value: unknown): boolean {
  if (!isRecord(value) || Object.keys(value).some((key) => key !== "lat" && key !== "lng")) return false;
  const { lat, lng } = value;
  return typeof lat === "number" && typeof lng === "number" && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWholeNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
