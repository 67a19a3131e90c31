import type { ReactNode } from "react";
import { PageHeader } from "@/components/page-header";
import { NavLink } from "@/components/shell/nav-link";

const sections = [
  { href: "/settings", label: "General" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/settings/integrations", label: "Integrations" },
  { href: "/settings/policy", label: "Policy" },
  { href: "/settings/audit", label: "Audit log" },
];

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" description="Your company, the people in it, the keys that reach its API and the apps it connects to." />
      <nav aria-label="Settings" className="mb-6 border-b">
        <ul className="flex gap-5 overflow-x-auto">
          {sections.map(({ href, label }) => (
            <li key={href}>
              <NavLink href={href} variant="tabs" exact>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </>
  );
}
