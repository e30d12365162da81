import { NotFoundMessage } from "./_ui/not-found-message";

export const metadata = { title: "Not found · Weft" };

/** Unknown pages outside the signed-in app. */
export default function NotFound() {
  return (
    <main>
      <NotFoundMessage />
    </main>
  );
}
