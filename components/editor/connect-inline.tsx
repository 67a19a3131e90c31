"use client";

import { ExternalLink, LoaderCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import type { ProviderDescription } from "@/lib/catalog/description";
import { TokenDialog } from "@/components/integrations/token-dialog";
import { Button } from "@/components/ui/button";

const POLL_MS = 400;

/**
 * "Connect Slack" inside a step's modal: the OAuth consent in a popup (or the pasted-token form, in
 * a dialog over the modal), so the form keeps what was typed. When the popup comes back to this
 * app (the callback lands on Settings › Integrations) or is closed, the page's connections are
 * read again and the selector lists the new one.
 */
export function ConnectInline({ provider }: { provider: ProviderDescription }) {
  const router = useRouter();
  const [waiting, setWaiting] = useState(false);
  const stop = useRef<() => void>(() => {});
  useEffect(() => () => stop.current(), []);

  const connect = () => {
    const url = `/api/integrations/${provider.id}/connect?owner=company`;
    const popup = window.open(url, `connect-${provider.id}`, "popup,width=600,height=760");
    if (!popup) {
      toast.error("The browser blocked the sign-in window", {
        description: `Allow pop-ups for this site, or connect ${provider.name} in Settings › Integrations.`,
      });
      return;
    }
    setWaiting(true);
    const finish = () => {
      stop.current();
      setWaiting(false);
      router.refresh();
    };
    const timer = window.setInterval(() => {
      if (popup.closed) return finish();
      let here: URL;
      try {
        here = new URL(popup.location.href);
      } catch {
        return; // still at the provider: another origin
      }
      if (here.origin !== window.location.origin || !here.pathname.startsWith("/settings/integrations")) return;
      popup.close();
      const error = here.searchParams.get("error");
      if (error) toast.error(error, { description: here.searchParams.get("remediation") ?? undefined });
      else toast.success(`${provider.name} connected`);
      finish();
    }, POLL_MS);
    // A provider page may cut the popup off from this one; coming back to this tab refreshes too.
    const onFocus = () => window.setTimeout(() => router.refresh(), 0);
    window.addEventListener("focus", onFocus);
    stop.current = () => {
      window.clearInterval(timer);
      window.removeEventListener("focus", onFocus);
    };
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      {provider.auth.oauth && (
        <Button type="button" size="sm" onClick={connect} disabled={waiting}>
          {waiting ? <LoaderCircle className="animate-spin" aria-hidden /> : <ExternalLink aria-hidden />}
          {waiting ? `Waiting for ${provider.name}…` : `Connect ${provider.name}`}
        </Button>
      )}
      {provider.auth.token && (
        <TokenDialog
          appId={provider.id}
          appName={provider.name}
          label={provider.auth.token.label}
          placeholder={provider.auth.token.placeholder}
          help={provider.auth.token.help}
          canManageCompany
        />
      )}
    </div>
  );
}
