import { Suspense } from "react";
import { SettingsView } from "./settings-view";

export const metadata = { title: "Settings · Weft" };

export default function SettingsPage() {
  return (
    <Suspense>
      <SettingsView />
    </Suspense>
  );
}
