import { SettingsView } from "./settings-view";

export const metadata = { title: "Settings · Weft" };

/**
 * The tab comes from the URL here, on the server, rather than from useSearchParams in a Suspense
 * boundary: a boundary hydrates after the shell, whose queries may have answered by then, and the
 * tab would then hydrate different text than the server sent.
 */
export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ tab?: string | string[] }> }) {
  const { tab } = await searchParams;
  const initialTab = typeof tab === "string" ? tab : undefined;
  // A link to another tab (the sidebar's /settings, a shared ?tab=) starts the view over on it.
  return <SettingsView key={initialTab ?? "general"} initialTab={initialTab} />;
}
