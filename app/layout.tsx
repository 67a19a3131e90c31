import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Flowline", template: "%s · Flowline" },
  description: "Workflow automation your company can trust",
  // The brand mark lives in public/ with the other static assets.
  icons: { icon: "/flowline-mark.svg" },
};

// Reading the request makes every page render per request: each gets the nonce proxy.ts made for
// its Content-Security-Policy, and no page is prerendered at build time (so the build needs no runtime secrets).
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    // next-themes sets the theme class on <html> before hydration.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-dvh">
        <Providers nonce={nonce}>{children}</Providers>
      </body>
    </html>
  );
}
