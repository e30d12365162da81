import { SchedulesView } from "./schedules-view";

export const metadata = { title: "Schedules · Weft" };

export default function SchedulesPage() {
  return <SchedulesView />;
}
