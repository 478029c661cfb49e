import { Link } from "react-router";
import { FullPageMessage } from "../ui/feedback";

export function NotFound() {
  return (
    <FullPageMessage>
      <h1>Nothing here</h1>
      <p>
        This page does not exist, or is not yours to see. <Link to="/">Go to the start</Link>.
      </p>
    </FullPageMessage>
  );
}
