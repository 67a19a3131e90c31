import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Flowline", description: "Workflow automation your company can trust" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <body>{children}</body>
    </html>
  );
}
