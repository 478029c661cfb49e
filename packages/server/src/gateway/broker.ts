/** Someone connected with a device's client id while the device was connected, and took its session over. */
export interface SessionTakeover {
  deviceId: string;
  /** The new connection's remote address, when the broker knows it. */
  address: string | null;
}

/** A message a device published, as the gateway receives it. */
export type InboundHandler = (topic: string, payload: Buffer) => void;

/**
 * The server's side of the MQTT broker, embedded or external. Commands go out through it;
 * device messages come in through it. Device authentication and topic rules are the broker's job
 * (embedded: our hooks; external: the broker's own configuration).
 */
export interface BrokerTransport {
  readonly mode: "embedded" | "external";
  /** QoS 1, never retained: a command must never wait in the broker for a later subscriber. */
  publishCommand(topic: string, payload: Buffer): Promise<void>;
  onInbound(handler: InboundHandler): void;
  /** Called when a device's connection ends (embedded broker only; external brokers use the last will). */
  onDeviceDisconnect(handler: (deviceId: string) => void): void;
  /**
   * Called when a new connection takes over a connected device's session (MQTT's client-id rule).
   * Embedded broker only: an external broker does this out of the server's sight (docs/operations.md).
   */
  onDeviceTakeover(handler: (takeover: SessionTakeover) => void): void;
  disconnect(deviceId: string): void;
  /**
   * Devices connected to the broker right now (metrics), or null when the server cannot see them
   * (an external broker: ask the broker, docs/operations.md).
   */
  connectedDevices(): number | null;
  status(): { ok: boolean; detail?: string };
  /** The address devices and tests can connect to, e.g. mqtt://127.0.0.1:1884 */
  readonly url: string;
  close(): Promise<void>;
}
