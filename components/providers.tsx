"use client";

import { ThemeProvider, useTheme } from "next-themes";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

/** `nonce` lets next-themes' inline script (it sets the theme before hydration) pass the Content-Security-Policy. */
export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    // The theme script matters only in the server's HTML, before hydration. Rendered again in the
    // browser (a not-found page), React warns about a script that cannot run; as a data block it does not.
    <ThemeProvider
      attribute="class"
      defaultTheme="system"
      enableSystem
      disableTransitionOnChange
      nonce={nonce}
      scriptProps={{ type: typeof window === "undefined" ? "text/javascript" : "text/plain" }}
    >
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
