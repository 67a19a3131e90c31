"use client";

import { ThemeProvider, useTheme } from "next-themes";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange>
      {children}
      <ThemedToaster />
    </ThemeProvider>
  );
}

// Sonner keeps its own notion of the theme; hand it the one the person picked. Bottom right: at the
// top, toasts covered the page header's buttons until they faded.
function ThemedToaster() {
  const { theme } = useTheme();
  const toasterTheme = theme === "light" || theme === "dark" ? theme : "system";
  return <Toaster theme={toasterTheme} richColors closeButton position="bottom-right" />;
}
