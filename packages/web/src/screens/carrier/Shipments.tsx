export function Shipments() {
  return <h1>Shipments</h1>;
}
