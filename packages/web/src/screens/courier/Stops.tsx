export function Stops() {
  return <h1>Stops</h1>;
}
