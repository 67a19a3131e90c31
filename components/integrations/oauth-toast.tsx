"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { toast } from "sonner";

/** Shows the outcome of an OAuth round trip (?connected=slack or ?error=…) once, then cleans the address. */
export function OAuthToast({ names }: { names: Record<string, string> }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const connected = params.get("connected");
  const error = params.get("error");
  const remediation = params.get("remediation");
  // Once per outcome, even when effects run twice (React's strict mode in development).
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const key = connected ?? error;
    if (!key || shown.current === key) return;
    shown.current = key;
    if (connected) toast.success(`${names[connected] ?? connected} connected`);
    else toast.error(error ?? "Connecting failed", remediation ? { description: remediation } : undefined);
    router.replace(pathname, { scroll: false });
  }, [connected, error, remediation, names, pathname, router]);
  return null;
}
