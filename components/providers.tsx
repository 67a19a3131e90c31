"use client";

import { ThemeProvider, useTheme } from "next-themes";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

/** `nonce` lets next-themes' inline script (it sets the theme before hydration) pass the Content-Security-Policy. */
export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      {children}
      <ThemedToaster />
    </ThemeProvider>
  );
}

// Sonner keeps its own notion of the theme; hand it the one the person picked.
function ThemedToaster() {
  const { theme } = useTheme();
  const toasterTheme = theme === "light" || theme === "dark" ? theme : "system";
  return <Toaster theme={toasterTheme} richColors closeButton position="top-right" />;
}
