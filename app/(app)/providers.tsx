"use client";

/**
 * One cache for the whole app (TanStack Query): lists and runs refetch in the background, and
 * mutations invalidate what they change. Toasts (sonner) and tooltips are mounted once here.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import * as Tooltip from "@radix-ui/react-tooltip";
import { useState, type ReactNode } from "react";
import { Toaster } from "sonner";
import { ApiFailure } from "@/app/_ui/api";

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            // A 4xx will not change by asking again (a 404 is a 404); network trouble may.
            retry: (count, error) => !(error instanceof ApiFailure && error.status < 500) && count < 2,
            refetchOnWindowFocus: true,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <Tooltip.Provider delayDuration={300}>
        {children}
        <Toaster position="bottom-right" richColors closeButton />
      </Tooltip.Provider>
    </QueryClientProvider>
  );
}
