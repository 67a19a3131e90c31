import { Plug } from "lucide-react";

/** An app's mark, drawn here (no remote images): four rounded bars for Slack, a plug otherwise. */
export function AppIcon({ icon, className = "size-9" }: { icon: string; className?: string }) {
  if (icon === "slack") {
    return (
      <svg viewBox="0 0 32 32" className={className} aria-hidden>
        <rect x="4" y="12" width="24" height="4" rx="2" fill="#36C5F0" />
        <rect x="12" y="4" width="4" height="24" rx="2" fill="#2EB67D" />
        <rect x="4" y="20" width="24" height="4" rx="2" fill="#E01E5A" opacity="0.9" />
        <rect x="20" y="4" width="4" height="24" rx="2" fill="#ECB22E" opacity="0.9" />
      </svg>
    );
  }
  return <Plug className={className} aria-hidden />;
}
